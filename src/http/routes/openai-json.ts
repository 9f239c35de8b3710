import type { FastifyInstance } from 'fastify';
import type { Endpoint } from '../../providers/index.ts';
import type { HttpDeps } from '../context.ts';
import { passHeaders, relay } from '../relay.ts';
import { DEFAULT_MODELS, validateBody } from '../validate.ts';

/** The JSON endpoints and their paths under /v1. */
const JSON_ENDPOINTS: ReadonlyArray<[string, Endpoint]> = [
  ['/chat/completions', 'chat.completions'],
  ['/embeddings', 'embeddings'],
  ['/moderations', 'moderations'],
  ['/images/generations', 'images.generations'],
];

/** POST routes whose body is JSON: validate, then relay through the scheduler. */
export function registerJsonRoutes(app: FastifyInstance, deps: HttpDeps): void {
  for (const [path, endpoint] of JSON_ENDPOINTS) {
    app.post(path, async (req, reply) => {
      const body = validateBody(endpoint, req.body);
      const model = (body.model as string | undefined) ?? DEFAULT_MODELS[endpoint] ?? '';
      await relay(req, reply, deps, {
        endpoint,
        model,
        json: body,
        rawJson: req.rawBody ?? undefined,
        stream: body.stream === true,
        passHeaders: passHeaders(req),
      });
    });
  }
}
