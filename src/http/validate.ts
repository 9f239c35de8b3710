import { z } from 'zod';
import { GatewayError } from '../errors/index.ts';
import type { Endpoint } from '../providers/index.ts';

const nonEmptyInput = z.union([z.string(), z.array(z.unknown()).min(1)]);

/**
 * The fields Sluice itself relies on, per endpoint. Everything else passes through untouched
 * (loose objects), so new OpenAI parameters work without a Sluice release; the upstream
 * validates the rest and its 400 is relayed.
 */
const SCHEMAS = {
  'chat.completions': z.looseObject({
    model: z.string().min(1),
    messages: z.array(z.looseObject({})).min(1),
    stream: z.boolean().nullish(),
    n: z.number().int().min(1).max(128).nullish(),
  }),
  embeddings: z.looseObject({ model: z.string().min(1), input: nonEmptyInput }),
  moderations: z.looseObject({ model: z.string().min(1).optional(), input: nonEmptyInput }),
  'images.generations': z.looseObject({
    prompt: z.string().min(1),
    model: z.string().min(1).optional(),
    n: z.number().int().min(1).max(10).nullish(),
    stream: z.boolean().nullish(),
  }),
  'images.edits': z.looseObject({ prompt: z.string().min(1), model: z.string().min(1).optional() }),
} satisfies Record<Endpoint, z.ZodType>;

/** OpenAI's defaults when a request names no model. */
export const DEFAULT_MODELS: Partial<Record<Endpoint, string>> = {
  moderations: 'omni-moderation-latest',
  'images.generations': 'dall-e-2',
  'images.edits': 'dall-e-2',
};

const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The common chat request checked by hand: exactly what the chat schema accepts (zod's parse
 * copies every message into a result that is thrown away). Anything else goes to zod, which
 * also words the error.
 */
function plainChat(b: Record<string, unknown>): boolean {
  const { model, messages, stream, n } = b;
  return (
    typeof model === 'string' &&
    model.length > 0 &&
    Array.isArray(messages) &&
    messages.length > 0 &&
    messages.every(isObject) &&
    (stream === undefined || stream === null || typeof stream === 'boolean') &&
    (n === undefined || n === null || (Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 128))
  );
}

/** Validates a parsed JSON body for `endpoint`; throws a 400 GatewayError naming the parameter. */
export function validateBody(endpoint: Endpoint, body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
  }
  if (endpoint === 'chat.completions' && plainChat(body as Record<string, unknown>)) return body as Record<string, unknown>;
  const result = SCHEMAS[endpoint].safeParse(body);
  if (result.success) return body as Record<string, unknown>;
  const issue = result.error.issues[0];
  const param = issue.path.map(String).join('.');
  const value = issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), body);
  if (value === undefined || value === null) {
    throw new GatewayError('missing_required_parameter', `Missing required parameter: '${param}'.`, { param });
  }
  const code = issue.code === 'invalid_type' ? 'invalid_type' : 'invalid_value';
  throw new GatewayError(code, `Invalid value for '${param}': ${issue.message}.`, { param });
}
