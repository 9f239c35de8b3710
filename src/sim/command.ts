import { loadSimConfig } from './config.ts';
import { startSimulator } from './start.ts';
import type { SimAccount, SimModelLimits, SimOptions, Simulator } from './types.ts';

/** Arguments of `sluice sim`. */
export interface SimCommandArgs {
  config?: string;
  port?: number;
  host?: string;
  accounts?: number;
  timeScale?: number;
  ipm?: number;
  rpm?: number;
  tpm?: number;
}

/** Port `sluice sim` listens on when neither the config nor `--port` says. */
export const DEFAULT_SIM_PORT = 9090;

/** Limits of a default account: roughly a tier-1 OpenAI account, with rpm/tpm/ipm overridable. */
export function defaultLimits(args: Pick<SimCommandArgs, 'ipm' | 'rpm' | 'tpm'>): Record<string, SimModelLimits> {
  return {
    'gpt-4o-mini': { rpm: args.rpm ?? 500, tpm: args.tpm ?? 200_000, rpd: 10_000 },
    'gpt-4o': { rpm: args.rpm ?? 500, tpm: args.tpm ?? 30_000 },
    'gpt-image-1': { ipm: args.ipm ?? 50 },
    'dall-e-3': { ipm: args.ipm ?? 7 },
    'text-embedding-3-small': { rpm: args.rpm ?? 3_000, tpm: args.tpm ?? 1_000_000 },
    'omni-moderation-latest': { rpm: args.rpm ?? 500, tpm: args.tpm ?? 10_000 },
  };
}

/** N accounts named sim-1..N with keys sk-sim-1..N (fake, printable). */
export function defaultAccounts(n: number, args: SimCommandArgs): SimAccount[] {
  return Array.from({ length: n }, (_, i) => ({ name: `sim-${i + 1}`, key: `sk-sim-${i + 1}`, limits: defaultLimits(args) }));
}

function describeLimits(limits: Record<string, SimModelLimits> | undefined): string {
  if (!limits) return 'no limits';
  return Object.entries(limits)
    .map(([model, l]) => `${model}{${Object.entries(l).map(([k, v]) => `${k}:${typeof v === 'object' ? `${v.requests}/${v.perSeconds}s` : v}`).join(',')}}`)
    .join(' ');
}

/**
 * Runs `sluice sim`: starts a simulator from a YAML file, or with N default accounts, prints
 * its URL and accounts (the keys are fake, so printing them is fine) and stays up.
 */
export async function runSimCommand(args: SimCommandArgs): Promise<Simulator> {
  const base: SimOptions = args.config ? loadSimConfig(args.config) : { accounts: defaultAccounts(args.accounts ?? 3, args) };
  const options: SimOptions = {
    ...base,
    host: args.host ?? base.host,
    port: args.port ?? base.port ?? DEFAULT_SIM_PORT,
    timeScale: args.timeScale ?? base.timeScale,
  };
  const sim = await startSimulator(options);
  const lines = [`sluice sim: listening on ${sim.url} (OpenAI base URL ${sim.url}/v1, time scale ${options.timeScale ?? 1})`, 'accounts:'];
  for (const a of options.accounts) lines.push(`  ${a.name}  key=${a.key}  ${describeLimits(a.limits)}`);
  lines.push(`stats: GET ${sim.url}/sim/stats   reset: POST ${sim.url}/sim/reset   faults: POST ${sim.url}/sim/faults`);
  console.log(lines.join('\n'));
  return sim;
}
