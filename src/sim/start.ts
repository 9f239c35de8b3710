import type { AddressInfo } from 'node:net';
import { parseFaults, parseSimOptions } from './config.ts';
import { createSimServer } from './server.ts';
import { createState, resetState } from './state.ts';
import type { SimFaults, SimOptions, Simulator } from './types.ts';

/**
 * Starts an upstream simulator: a fake OpenAI/Azure service with exact per-account limits and
 * injectable faults, used as the gateway's upstream in tests and benchmarks. Every instance is
 * independent (its own windows, stats, RNG), so tests can run several side by side.
 */
export async function startSimulator(opts: SimOptions): Promise<Simulator> {
  const options = parseSimOptions(opts, 'startSimulator options');
  const state = createState(options);
  const server = createSimServer(state);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    stats: () => state.stats.snapshot(),
    reset: () => resetState(state),
    setFaults(accountName: string, faults: SimFaults) {
      const account = state.byName.get(accountName);
      if (!account) throw new Error(`sim: unknown account ${accountName}`);
      account.faults = parseFaults(faults);
    },
    close: () =>
      new Promise<void>((resolve) => {
        state.closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
