import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.ts';
import type { ClientDirectory } from '../policy/index.ts';

/**
 * Reads the client key the way OpenAI SDKs send it (`Authorization: Bearer`), or Azure SDKs
 * (`api-key`), and resolves the client. 401 `invalid_api_key` otherwise, like OpenAI.
 */
export function authenticate(req: FastifyRequest, clients: ClientDirectory): void {
  const auth = req.headers.authorization;
  let key: string | undefined;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    key = m?.[1];
  } else if (typeof req.headers['api-key'] === 'string') {
    key = req.headers['api-key'];
  }
  if (!key) {
    throw new GatewayError(
      'invalid_api_key',
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    );
  }
  const client = clients.authenticate(key);
  if (client === 'unknown') throw new GatewayError('invalid_api_key', 'Incorrect API key provided.');
  if (client === 'disabled') throw new GatewayError('invalid_api_key', 'This API key has been disabled.');
  if (client === 'expired') throw new GatewayError('invalid_api_key', 'This API key has expired.');
  req.client = client;
}
