import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type ClientPolicy, checkRouting, clientPolicySchema, PRIORITIES } from '../../config/index.ts';
import { GatewayError } from '../../errors/index.ts';
import { hashKey } from '../../policy/index.ts';
import type { ClientKeyPatch, ClientKeyRecord } from '../../store/types.ts';
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
/** The policy fields (see `clientPolicySchema`), each also `null` in a patch: cleared. */
const policyFields = Object.fromEntries(Object.entries(clientPolicySchema.shape).map(([k, v]) => [k, v.unwrap().nullable().optional()])) as unknown as {
  [K in keyof ClientPolicy]-?: z.ZodOptional<z.ZodNullable<z.ZodType<NonNullable<ClientPolicy[K]>>>>;
};
const POLICY_KEYS = Object.keys(clientPolicySchema.shape) as Array<keyof ClientPolicy>;
const createSchema = z.strictObject({ name: z.string().min(1).regex(/^[\w.-]+$/, 'use letters, digits, "-", "_" or "."'), ...keyFields, ...policyFields });
const patchSchema = z.strictObject({ ...keyFields, ...policyFields });

/** `base` with the body's policy fields applied: a value sets, `null` clears; none left is no policy. */
function policyFrom(body: Partial<Record<keyof ClientPolicy, unknown>>, base: ClientPolicy | null): ClientPolicy | null {
  const out: Record<string, unknown> = { ...base };
  for (const k of POLICY_KEYS) {
    if (body[k] === null) delete out[k];
    else if (body[k] !== undefined) out[k] = body[k];
  }
  return Object.keys(out).length > 0 ? (out as ClientPolicy) : null;
}

/** Groups must be some account's, fallbacks models the key may use (as for config clients). */
function checkKeyRouting(deps: HttpDeps, policy: ClientPolicy | null, models: readonly string[]): void {
  parseBody(
    z.unknown().superRefine((_, ctx) => checkRouting({ groups: policy?.groups, fallbacks: policy?.fallbacks ?? {}, models }, [], deps.pool.list(), ctx)),
    {},
  );
}

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
    const policy = policyFrom(body, null);
    checkKeyRouting(deps, policy, body.models ?? ['*']);
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
      policy,
    });
    deps.clients.set(record);
    deps.keysChanged?.();
    reply.code(201);
    return { ...view(deps, record), key: secret };
  });

  app.patch<{ Params: { id: string } }>('/keys/:id', async (req) => {
    const body = parseBody(patchSchema, req.body);
    const current = await keys.get(req.params.id);
    if (!current) throw new GatewayError('not_found', `No key with id ${req.params.id}.`, { param: 'id' });
    const patch: ClientKeyPatch = Object.fromEntries(Object.entries(body).filter(([k]) => !(POLICY_KEYS as string[]).includes(k)));
    if (POLICY_KEYS.some((k) => body[k] !== undefined)) {
      if (current.source === 'config') throw new GatewayError('invalid_value', `The key ${current.name} comes from the config file: change its policy there.`, { param: POLICY_KEYS.find((k) => body[k] !== undefined) ?? null });
      patch.policy = policyFrom(body, current.policy);
    }
    checkKeyRouting(deps, patch.policy === undefined ? current.policy : patch.policy, patch.models ?? current.models);
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
