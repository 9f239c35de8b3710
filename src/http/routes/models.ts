import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.ts';
import { mayUseModel } from '../../policy/index.ts';
import type { HttpDeps } from '../context.ts';

function modelObject(id: string, created: number) {
  return { id, object: 'model', created, owned_by: 'sluice' };
}

/** Models this client may use and can reach (a client bound to groups sees what those groups serve). */
function visibleModels(req: FastifyRequest, deps: HttpDeps): string[] {
  const c = req.client;
  return deps.pool.models().filter((m) => !c || (mayUseModel(c, m) && (!c.groups || deps.pool.serves(m, c.groups))));
}

/** GET /v1/models: the union of models the pool serves that this client may use. */
export function registerModelRoutes(app: FastifyInstance, deps: HttpDeps, startedAt: number): void {
  const created = Math.floor(startedAt / 1000);
  app.get('/models', async (req) => ({ object: 'list', data: visibleModels(req, deps).map((id) => modelObject(id, created)) }));
  app.get<{ Params: { model: string } }>('/models/:model', async (req) => {
    const id = req.params.model;
    if (!visibleModels(req, deps).includes(id)) {
      throw new GatewayError('model_not_found', `The model \`${id}\` does not exist or you do not have access to it.`, { param: 'model' });
    }
    return modelObject(id, created);
  });
}
