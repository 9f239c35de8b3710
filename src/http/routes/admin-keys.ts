import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PRIORITIES } from '../../config/index.ts';
import { GatewayError } from '../../errors/index.ts';
import { hashKey } from '../../policy/index.ts';
import type { ClientKeyRecord } from '../../store/types.ts';
import type { HttpDeps } from '../context.ts';
import { parseBody } from './admin-body.ts';

const nullablePositive = z.number().int().positive().nullable().optional();
const keyFields = {
  priority: z.enum(PRIORITIES).optional(),
  models: z.array(z.string().min(1)).min(1).optional(),
  weight: z.number().positive().optional(),
  rpm: nullablePositive,
  tpm: nullablePositive,
  ipm: nullablePositive,
  dailyUsd: z.number().nonnegative().nullable().optional(),
  monthlyUsd: z.number().nonnegative().nullable().optional(),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  enabled: z.boolean().optional(),
};
const createSchema = z.strictObject({ name: z.string().min(1).regex(/^[\w.-]+$/, 'use letters, digits, "-", "_" or "."'), ...keyFields });
const patchSchema = z.strictObject(keyFields);

/** A key as the admin API shows it: never the hash, only the prefix; with its spend so far. */
function view(deps: HttpDeps, r: ClientKeyRecord) {
  const { keyHash: _hash, ...rest } = r;
  return { ...rest, spend: deps.accounting.budgets.spent(r.name) };
}

/** A new client secret: 32 random bytes, URL-safe, recognisable by its prefix. */
function newSecret(): string {
  return `sk-sluice-${randomBytes(32).toString('base64url')}`;
}

/** `/admin/keys`: client keys. The secret is returned once, by create; only its hash is stored. */
export function registerKeyRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const keys = deps.store.keys;

  app.get('/keys', async () => ({ object: 'list', data: (await keys.list()).map((r) => view(deps, r)) }));

  app.post('/keys', async (req, reply) => {
    const body = parseBody(createSchema, req.body);
    if (await keys.getByName(body.name)) throw new GatewayError('conflict', `A key named ${body.name} already exists.`, { param: 'name' });
    const secret = newSecret();
    const record = await keys.create({
      name: body.name,
      keyHash: hashKey(secret),
      keyPrefix: secret.slice(0, 14),
      priority: body.priority ?? 'normal',
      models: body.models ?? ['*'],
      weight: body.weight ?? 1,
      rpm: body.rpm ?? null,
      tpm: body.tpm ?? null,
      ipm: body.ipm ?? null,
      dailyUsd: body.dailyUsd ?? null,
      monthlyUsd: body.monthlyUsd ?? null,
      expiresAt: body.expiresAt ?? null,
      enabled: body.enabled ?? true,
      source: 'api',
    });
    deps.clients.set(record);
    deps.keysChanged?.();
    reply.code(201);
    return { ...view(deps, record), key: secret };
  });

  app.patch<{ Params: { id: string } }>('/keys/:id', async (req) => {
    const patch = parseBody(patchSchema, req.body);
    const record = await keys.update(req.params.id, patch);
    if (!record) throw new GatewayError('not_found', `No key with id ${req.params.id}.`, { param: 'id' });
    deps.clients.set(record);
    deps.keysChanged?.();
    return view(deps, record);
  });

  app.delete<{ Params: { id: string } }>('/keys/:id', async (req) => {
    if (!(await keys.delete(req.params.id))) throw new GatewayError('not_found', `No key with id ${req.params.id}.`, { param: 'id' });
    deps.clients.remove(req.params.id);
    deps.keysChanged?.();
    return { id: req.params.id, deleted: true };
  });
}
