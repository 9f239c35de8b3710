/**
 * `sluice accounts ...`: upstream accounts of a running gateway (`/admin/accounts`). Accounts
 * added here are stored by the gateway with their API key encrypted; no answer (and no output
 * of this command) ever contains an API key.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { AccountSnapshot } from '../pool/index.ts';
import type { ConnectionOptions } from './admin-client.ts';
import { action, CliError, connect, list, positiveInt, positiveNumber, print, printJson, repeat, withConnection } from './admin-client.ts';
import { renderTable } from './table.ts';

const PROVIDERS = ['openai', 'azure', 'openai-compatible'];
const LIMIT_FIELDS = ['rpm', 'tpm', 'rpd', 'ipm'];

/** An account as `/admin/accounts` shows it: the pool's snapshot plus where it came from. */
export type AccountView = AccountSnapshot & { source?: string };

type ModelLimits = Record<string, number | { requests: number; perSeconds: number }>;

/**
 * One `--limit`: `MODEL:rpm=500,tpm=200000` (fields rpm, tpm, rpd, ipm, and burst=REQUESTS/SECONDS).
 * The model is everything before the last `:` that precedes the fields, so fine-tuned model
 * names with colons (`ft:gpt-4o-mini:org::id`) work.
 */
export function parseLimit(value: string): [string, ModelLimits] {
  const m = /^(.+):([a-z]+=[^,]+(?:,[a-z]+=[^,]+)*)$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError('use MODEL:rpm=N,tpm=N,rpd=N,ipm=N (e.g. gpt-4o-mini:rpm=500,tpm=200000)');
  const limits: ModelLimits = {};
  for (const pair of m[2].split(',')) {
    const [k, v] = pair.split('=').map((s) => s.trim());
    const field = k.toLowerCase();
    if (field === 'burst') {
      const b = /^(\d+)\/(\d+(?:\.\d+)?)s?$/.exec(v);
      if (!b || Number(b[1]) < 1 || !(Number(b[2]) > 0)) throw new InvalidArgumentError(`burst: use REQUESTS/SECONDS, e.g. burst=3/10`);
      limits.burst = { requests: Number(b[1]), perSeconds: Number(b[2]) };
      continue;
    }
    if (!LIMIT_FIELDS.includes(field)) throw new InvalidArgumentError(`unknown limit "${k}": use ${LIMIT_FIELDS.join(', ')} or burst`);
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${field}: must be a positive integer`);
    limits[field] = n;
  }
  return [m[1].trim(), limits];
}

/** `MODEL=DEPLOYMENT` (Azure). */
function parseDeployment(value: string): [string, string] {
  const i = value.indexOf('=');
  if (i <= 0 || i === value.length - 1) throw new InvalidArgumentError('use MODEL=DEPLOYMENT');
  return [value.slice(0, i).trim(), value.slice(i + 1).trim()];
}

interface AddFlags extends ConnectionOptions {
  name: string;
  provider: string;
  baseUrl?: string;
  apiKey?: string;
  apiKeyEnv?: string;
  group?: string;
  weight?: number;
  limit?: Array<[string, ModelLimits]>;
  models?: string[];
  deployment?: Array<[string, string]>;
  apiVersion?: string;
  maxConcurrent?: number;
  timeoutMs?: number;
  disabled?: boolean;
}

/** The `POST /admin/accounts` body for the flags (the API key read from --api-key-env or --api-key). */
export function accountBody(o: AddFlags, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  let apiKey: string | undefined;
  if (o.apiKeyEnv !== undefined) {
    apiKey = env[o.apiKeyEnv];
    if (!apiKey) throw new CliError(`--api-key-env: environment variable ${o.apiKeyEnv} is not set`, 2);
  } else {
    apiKey = o.apiKey;
  }
  if (!apiKey) throw new CliError('the account needs an API key: pass --api-key-env VAR (keeps it out of shell history) or --api-key KEY', 2);
  const body: Record<string, unknown> = { name: o.name, provider: o.provider };
  if (o.baseUrl !== undefined) body.baseUrl = o.baseUrl;
  body.apiKey = apiKey;
  if (o.group !== undefined) body.group = o.group;
  if (o.weight !== undefined) body.weight = o.weight;
  if (o.disabled) body.enabled = false;
  if (o.limit?.length) {
    const limits: Record<string, ModelLimits> = {};
    for (const [model, l] of o.limit) limits[model] = { ...limits[model], ...l };
    body.limits = limits;
  }
  if (o.models !== undefined) body.models = o.models;
  if (o.deployment?.length) body.deployments = Object.fromEntries(o.deployment);
  if (o.apiVersion !== undefined) body.apiVersion = o.apiVersion;
  if (o.maxConcurrent !== undefined) body.maxConcurrent = o.maxConcurrent;
  if (o.timeoutMs !== undefined) body.timeoutMs = o.timeoutMs;
  return body;
}

function enabledText(a: AccountView): string {
  if (a.enabled && !a.disabledReason) return 'yes';
  return `no${a.disabledReason ? `: ${a.disabledReason}` : ''}`;
}

function circuitText(a: AccountView): string {
  const c = a.circuit;
  if (!c) return '-';
  if (c.state !== 'closed' && c.openUntil) return `${c.state} until ${c.openUntil}`;
  return c.state;
}

/** The `accounts list` table. */
export function accountsTable(accounts: readonly AccountView[]): string {
  return renderTable(
    [
      { header: 'NAME' },
      { header: 'PROVIDER' },
      { header: 'GROUP' },
      { header: 'WEIGHT', align: 'right' },
      { header: 'ENABLED' },
      { header: 'CIRCUIT' },
      { header: 'IN FLIGHT', align: 'right' },
      { header: 'MODELS' },
      { header: 'SOURCE' },
    ],
    accounts.map((a) => [
      a.name,
      a.provider,
      a.group,
      a.weight,
      enabledText(a),
      circuitText(a),
      a.maxConcurrent ? `${a.inFlight}/${a.maxConcurrent}` : a.inFlight,
      Object.keys(a.models ?? {}).join(',') || '-',
      a.source ?? '-',
    ]),
  );
}

export function registerAccountCommands(program: Command): void {
  const accounts = program.command('accounts').description('upstream accounts: list, add, enable, disable, remove');

  withConnection(accounts.command('list').description('list upstream accounts with their state')).action(
    action(async (o: ConnectionOptions) => {
      const client = await connect(o);
      const res = await client.json<{ data: AccountView[] }>('GET', '/accounts');
      if (o.json) return printJson(res);
      print(res.data.length ? accountsTable(res.data) : 'No accounts: add one with `sluice accounts add` or in the config file.');
    }),
  );

  const add = accounts
    .command('add')
    .description('add an upstream account to the running pool (its key is stored encrypted)')
    .requiredOption('--name <name>', 'account name (letters, digits, "-", "_", ".")')
    .addOption(new Option('--provider <provider>', 'upstream kind').choices(PROVIDERS).makeOptionMandatory())
    .option('--base-url <url>', 'API base URL (required for azure and openai-compatible)')
    .option('--api-key-env <var>', 'read the upstream API key from this environment variable (recommended)')
    .addOption(new Option('--api-key <key>', 'the upstream API key itself (ends up in shell history: prefer --api-key-env)').conflicts('apiKeyEnv'))
    .option('--group <group>', 'account group (default "default")')
    .option('--weight <n>', 'share of traffic relative to other accounts', positiveNumber)
    .option('--limit <model:limits>', 'per-model limits, e.g. gpt-4o-mini:rpm=500,tpm=200000 (repeatable; fields rpm, tpm, rpd, ipm, burst=N/SECONDS)', repeat(parseLimit))
    .option('--models <list>', 'models served without configured limits, comma-separated', list)
    .option('--deployment <model=name>', 'azure: deployment name for a model (repeatable)', repeat(parseDeployment))
    .option('--api-version <version>', 'azure: api-version query parameter')
    .option('--max-concurrent <n>', 'most requests in flight at once', positiveInt)
    .option('--timeout-ms <ms>', 'upstream timeout per attempt', positiveInt)
    .option('--disabled', 'add it disabled');
  withConnection(add).action(
      action(async (o: AddFlags) => {
        const body = accountBody(o);
        const client = await connect(o, [String(body.apiKey)]);
        const view = await client.json<AccountView>('POST', '/accounts', { body });
        if (o.json) return printJson(view);
        print(`Added account ${view.name} (${view.provider}, group ${view.group})${view.enabled ? '' : ', disabled'}.`);
      }),
    );

  for (const [verb, done] of [
    ['enable', 'Enabled'],
    ['disable', 'Disabled'],
  ] as const) {
    withConnection(accounts.command(verb).description(verb === 'enable' ? 'put an account back in rotation' : 'take an account out of rotation (requests in flight finish)').argument('<name>')).action(
      action(async (name: string, o: ConnectionOptions) => {
        const client = await connect(o);
        const view = await client.json<AccountView>('POST', `/accounts/${encodeURIComponent(name)}/${verb}`);
        if (o.json) return printJson(view);
        print(`${done} account ${name}.`);
      }),
    );
  }

  withConnection(accounts.command('remove').description('remove an account added at run time (config accounts can only be disabled)').argument('<name>')).action(
    action(async (name: string, o: ConnectionOptions) => {
      const client = await connect(o);
      const res = await client.json<{ name: string; deleted: boolean }>('DELETE', `/accounts/${encodeURIComponent(name)}`);
      if (o.json) return printJson(res);
      print(`Removed account ${name}.`);
    }),
  );
}
