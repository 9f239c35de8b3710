import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../../errors/index.ts';
import type { HttpDeps } from '../context.ts';

/**
 * `GET /v1/images/files/{id}?expires=&sig=`: the images Sluice stored for `response_format:
 * "url"`. The signature is the credential (like OpenAI's own image URLs, no key is needed), and
 * it expires.
 */
export function registerImageFileRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Params: { id: string }; Querystring: { expires?: string; sig?: string } }>('/v1/images/files/:id', async (req, reply) => {
    const verdict = deps.delivery.signer.verify(req.params.id, req.query.expires, req.query.sig);
    if (verdict === 'expired') throw new GatewayError('invalid_request', 'This image URL has expired.', { status: 403 });
    if (verdict !== 'ok') throw new GatewayError('invalid_request', 'This image URL is not valid.', { status: 403 });
    const image = await deps.delivery.images.get(req.params.id);
    if (!image) throw new GatewayError('not_found', 'This image is no longer stored.');
    return reply.type(image.contentType).header('cache-control', 'private, max-age=3600').send(image.data);
  });
}
