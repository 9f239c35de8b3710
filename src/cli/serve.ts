import { existsSync } from 'node:fs';
import { createApp } from '../app.ts';
import { openStore } from '../store/index.ts';
import { ConfigError, loadConfigFile, parseConfig, type SluiceConfig } from '../config/index.ts';

/** Where the config comes from: --config, then $SLUICE_CONFIG, then ./sluice.yaml, else defaults. */
export function resolveConfig(flag: string | undefined, env: NodeJS.ProcessEnv): { config: SluiceConfig; source: string } {
  const file = flag ?? env.SLUICE_CONFIG ?? (existsSync('sluice.yaml') ? 'sluice.yaml' : undefined);
  if (file) return { config: loadConfigFile(file, env), source: file };
  return { config: parseConfig({}), source: 'embedded defaults' };
}

/** `sluice serve`: loads the config, starts the gateway, stops cleanly on SIGINT/SIGTERM. */
export async function serveCommand(opts: { config?: string; port?: number; host?: string }): Promise<void> {
  let config: SluiceConfig;
  let source: string;
  try {
    ({ config, source } = resolveConfig(opts.config, process.env));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`sluice: config error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  if (opts.port !== undefined || opts.host !== undefined) {
    config = parseConfig({ ...config, server: { ...config.server, port: opts.port ?? config.server.port, host: opts.host ?? config.server.host } });
  }
  const store = await openStore(config.store);
  const app = createApp(config, { store });
  const log = app.http.log;
  let url: string;
  try {
    url = await app.listen();
  } catch (err) {
    console.error(`sluice: cannot start: ${(err as Error).message}`);
    await app.close().catch(() => {});
    await store.close();
    process.exit(2);
  }
  log.info({ config: source, accounts: config.accounts.length, clients: config.clients.length }, `sluice listening on ${url}`);
  if (config.accounts.length === 0 || config.clients.length === 0) {
    log.warn('no accounts or no clients configured: copy sluice.example.yaml to sluice.yaml, or run `npm run demo`');
  }
  const stop = async (signal: string): Promise<void> => {
    log.info({ signal }, 'shutting down: finishing requests in flight, writing the usage ledger');
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
