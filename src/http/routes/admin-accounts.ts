import type { FastifyInstance } from 'fastify';
import { ConfigError, parseAccount } from '../../config/index.ts';
import { GatewayError } from '../../errors/index.ts';
import type { HttpDeps } from '../context.ts';

/**
 * `/admin/accounts`: upstream accounts at run time. Accounts added here are stored with their
 * API key encrypted (AES-256-GCM under SLUICE_SECRET) and come back after a restart; no answer
 * ever contains a key. Accounts from the config file can be disabled and enabled, not removed.
 */
export function registerAccountRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const now = () => Date.now();

  app.get('/accounts', async () => ({ object: 'list', data: deps.pool.list().map((a) => ({ ...a.snapshot(now()), source: deps.configAccounts.has(a.name) ? 'config' : 'api' })) }));

  app.post('/accounts', async (req, reply) => {
    if (!deps.secretBox) {
      throw new GatewayError('secret_missing', 'Set SLUICE_SECRET (16+ characters) to add accounts at run time: their API keys are stored encrypted with it.');
    }
    let account: ReturnType<typeof parseAccount>;
    try {
      account = parseAccount(req.body);
    } catch (err) {
      if (err instanceof ConfigError) throw new GatewayError('invalid_value', err.message, { param: err.message.split(':')[0] });
      throw err;
    }
    if (deps.pool.get(account.name)) throw new GatewayError('conflict', `An account named ${account.name} already exists.`, { param: 'name' });
    const { apiKey, ...settings } = account;
    await deps.store.accounts.upsert({ name: account.name, settings, apiKeyEncrypted: deps.secretBox.encrypt(apiKey), enabled: account.enabled, source: 'api' });
    deps.pool.add(account);
    reply.code(201);
    return deps.pool.get(account.name)?.snapshot(now());
  });

  app.delete<{ Params: { name: string } }>('/accounts/:name', async (req) => {
    const { name } = req.params;
    if (deps.configAccounts.has(name)) throw new GatewayError('conflict', `${name} comes from the config file: remove it there, or disable it.`, { param: 'name' });
    if (!deps.pool.remove(name)) throw new GatewayError('not_found', `No account named ${name}.`, { param: 'name' });
    await deps.store.accounts.delete(name);
    return { name, deleted: true };
  });

  app.post<{ Params: { name: string; action: string } }>('/accounts/:name/:action', async (req) => {
    const { name, action } = req.params;
    if (action !== 'enable' && action !== 'disable') throw new GatewayError('unknown_url', `Invalid URL (POST ${req.url})`);
    if (!deps.pool.setEnabled(name, action === 'enable')) throw new GatewayError('not_found', `No account named ${name}.`, { param: 'name' });
    if (!deps.configAccounts.has(name)) await deps.store.accounts.setEnabled(name, action === 'enable');
    return deps.pool.get(name)?.snapshot(now());
  });
}
