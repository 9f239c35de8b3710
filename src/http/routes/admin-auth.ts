import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.ts';

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Admin routes need `Authorization: Bearer <adminToken>`; without an adminToken in the config they are off. */
export function checkAdmin(req: FastifyRequest, token: string | undefined): void {
  if (!token) throw new GatewayError('invalid_api_key', 'The admin API is disabled: set adminToken in the config.');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m || !sameSecret(m[1], token)) throw new GatewayError('invalid_api_key', 'Incorrect admin token.');
}

/** The dashboard's session cookie value: an HMAC of the admin token, so the token itself is never stored in the browser. */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('sluice dashboard session v1').digest('base64url');
}
