import type { z } from 'zod';
import { GatewayError } from '../../errors/index.ts';

/** Validates an admin request body; a 400 naming the field otherwise. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue.path.map(String).join('.');
  throw new GatewayError('invalid_value', `${param || 'body'}: ${issue.message}`, { param: param || null });
}
