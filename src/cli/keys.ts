/**
 * `sluice keys ...`: client API keys on a running gateway (`/admin/keys`). The secret of a new
 * key is shown once, by `create`; the gateway stores only its hash.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { AdminClient, ConnectionOptions } from './admin-client.ts';
import { action, CliError, clearable, NONE, connect, isoTime, list, nonNegativeNumber, positiveInt, positiveNumber, print, printJson, withConnection } from './admin-client.ts';
import { formatUsd, renderTable } from './table.ts';

const PRIORITIES = ['high', 'normal', 'low'];

/** A key as `/admin/keys` shows it (never the secret, only its prefix). */
export interface KeyView {
  id: string;
  name: string;
  keyPrefix: string;
  priority: string;
  models: string[];
  weight: number;
  rpm: number | null;
  tpm: number | null;
  ipm: number | null;
  dailyUsd: number | null;
  monthlyUsd: number | null;
  expiresAt: string | null;
  enabled: boolean;
  source: string;
  createdAt: string;
  spend?: { dayUsd: number; monthUsd: number };
}

/** The settings flags shared by `create` and `update` (update also accepts `none` to remove a limit). */
interface KeyFlags extends ConnectionOptions {
  priority?: string;
  models?: string[];
  weight?: number;
  rpm?: number | typeof NONE;
  tpm?: number | typeof NONE;
  ipm?: number | typeof NONE;
  dailyUsd?: number | typeof NONE;
  monthlyUsd?: number | typeof NONE;
  expires?: string | typeof NONE;
  groups?: string[] | typeof NONE;
  policy?: Record<string, unknown>;
}

/** `--policy`: a JSON object of policy fields, sent as they are (the gateway validates them). */
function jsonObject(value: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('must be JSON, e.g. \'{"guardrails":{"words":["knockoff"]}}\'');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new InvalidArgumentError('must be a JSON object');
  return v as Record<string, unknown>;
}

function settingsOptions(cmd: Command, update: boolean): Command {
  const orNone = update ? ' ("none" removes it)' : '';
  const num = <T>(parse: (v: string) => T) => (update ? clearable(parse) : parse);
  return cmd
    .addOption(new Option('--priority <priority>', 'highest priority the key may ask for').choices(PRIORITIES))
    .option('--models <list>', 'models the key may call, comma-separated ("*" = all)', list)
    .option('--weight <n>', 'share of capacity relative to other keys of the same priority', positiveNumber)
    .option('--rpm <n>', `requests per minute across the whole pool${orNone}`, num(positiveInt))
    .option('--tpm <n>', `tokens per minute across the whole pool${orNone}`, num(positiveInt))
    .option('--ipm <n>', `images per minute across the whole pool${orNone}`, num(positiveInt))
    .option('--daily-usd <usd>', `daily budget in US dollars (UTC days)${orNone}`, num(nonNegativeNumber))
    .option('--monthly-usd <usd>', `monthly budget in US dollars${orNone}`, num(nonNegativeNumber))
    .option('--expires <time>', `when the key stops working: 2026-12-31T00:00:00Z or 2026-12-31${update ? ' ("none": never)' : ''}`, num(isoTime))
    .option('--groups <list>', `account groups the key may use, in order, comma-separated${orNone}`, num(list))
    .option(
      '--policy <json>',
      `other policy fields as a JSON object: fallbacks, guardrails (words, patterns, moderation), images, cache, normalizePrompts, imageResponseFormat, degradeImagesAbove${update ? ' (a field set to null is removed)' : ''}`,
      jsonObject,
    );
}

/** Flag -> API field, in the order the API documents them. */
const FIELDS = [
  ['priority', 'priority'],
  ['models', 'models'],
  ['weight', 'weight'],
  ['rpm', 'rpm'],
  ['tpm', 'tpm'],
  ['ipm', 'ipm'],
  ['dailyUsd', 'dailyUsd'],
  ['monthlyUsd', 'monthlyUsd'],
  ['expires', 'expiresAt'],
  ['groups', 'groups'],
] as const;

/** The API body fields for the flags that were given (absent flags are left out; `none` becomes null). */
function settingsBody(o: KeyFlags): Record<string, unknown> {
  const body: Record<string, unknown> = { ...o.policy };
  for (const [flag, field] of FIELDS) {
    const v = o[flag];
    if (v !== undefined) body[field] = v === NONE ? null : v;
  }
  return body;
}

/** Finds a key by id, else by name (one `GET /admin/keys`). */
export async function findKey(client: AdminClient, idOrName: string): Promise<KeyView> {
  const { data } = await client.json<{ data: KeyView[] }>('GET', '/keys');
  const key = data.find((k) => k.id === idOrName) ?? data.find((k) => k.name === idOrName);
  if (!key) throw new CliError(`no key with id or name "${idOrName}" (see \`sluice keys list\`)`);
  return key;
}

function budgets(k: KeyView): string {
  const parts: string[] = [];
  if (k.dailyUsd !== null && k.dailyUsd !== undefined) parts.push(`$${k.dailyUsd}/day`);
  if (k.monthlyUsd !== null && k.monthlyUsd !== undefined) parts.push(`$${k.monthlyUsd}/month`);
  return parts.join(' ') || '-';
}

function limits(k: KeyView): string {
  const parts: string[] = [];
  for (const f of ['rpm', 'tpm', 'ipm'] as const) if (k[f] !== null && k[f] !== undefined) parts.push(`${f}=${k[f]}`);
  return parts.join(' ') || '-';
}

function expires(k: KeyView, now: number): string {
  if (!k.expiresAt) return 'never';
  return Date.parse(k.expiresAt) <= now ? `${k.expiresAt} (expired)` : k.expiresAt;
}

/** The `keys list` table. */
export function keysTable(keys: readonly KeyView[], now = Date.now()): string {
  return renderTable(
    [
      { header: 'ID' },
      { header: 'NAME' },
      { header: 'PREFIX' },
      { header: 'PRIORITY' },
      { header: 'MODELS' },
      { header: 'LIMITS' },
      { header: 'BUDGETS' },
      { header: 'SPENT TODAY', align: 'right' },
      { header: 'ENABLED' },
      { header: 'EXPIRES' },
      { header: 'SOURCE' },
    ],
    keys.map((k) => [
      k.id,
      k.name,
      `${k.keyPrefix}...`,
      k.priority,
      (k.models ?? []).join(','),
      limits(k),
      budgets(k),
      k.spend ? `$${formatUsd(k.spend.dayUsd, 4)}` : '-',
      k.enabled ? 'yes' : 'no',
      expires(k, now),
      k.source,
    ]),
  );
}

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('client API keys: create, list, update, disable, revoke');

  const create = keys
    .command('create')
    .description('create a client key; prints its secret once')
    .requiredOption('--name <name>', 'the client\'s name (letters, digits, "-", "_", "."): shown in usage and logs');
  withConnection(settingsOptions(create, false).option('--disabled', 'create it disabled')).action(
      action(async (o: KeyFlags & { name: string; disabled?: boolean }) => {
        const client = await connect(o);
        const body: Record<string, unknown> = { name: o.name, ...settingsBody(o) };
        if (o.disabled) body.enabled = false;
        const key = await client.json<KeyView & { key: string }>('POST', '/keys', { body });
        if (o.json) return printJson(key);
        print(
          [
            `Created key ${key.name} (id ${key.id}).`,
            '',
            `    ${key.key}`,
            '',
            'This is the secret: store it now; it cannot be shown again.',
            'Clients send it as "Authorization: Bearer <key>".',
          ].join('\n'),
        );
      }),
    );

  withConnection(keys.command('list').description('list client keys with their budgets and spend today')).action(
    action(async (o: ConnectionOptions) => {
      const client = await connect(o);
      const res = await client.json<{ data: KeyView[] }>('GET', '/keys');
      if (o.json) return printJson(res);
      print(res.data.length ? keysTable(res.data) : 'No keys yet: create one with `sluice keys create --name NAME`.');
    }),
  );

  withConnection(settingsOptions(keys.command('update').description('change a key\'s priority, models, limits, budgets or expiry').argument('<id-or-name>'), true)).action(
    action(async (idOrName: string, o: KeyFlags) => {
      const body = settingsBody(o);
      if (Object.keys(body).length === 0) throw new CliError('nothing to update: pass at least one of --priority, --models, --weight, --rpm, --tpm, --ipm, --daily-usd, --monthly-usd, --expires', 2);
      const client = await connect(o);
      const key = await findKey(client, idOrName);
      const updated = await client.json<KeyView>('PATCH', `/keys/${encodeURIComponent(key.id)}`, { body });
      if (o.json) return printJson(updated);
      print(`Updated key ${updated.name} (${updated.id}).\n\n${keysTable([updated])}`);
    }),
  );

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    withConnection(keys.command(verb).description(enabled ? 'enable a key again' : 'disable a key (its requests get 401) without deleting it').argument('<id-or-name>')).action(
      action(async (idOrName: string, o: ConnectionOptions) => {
        const client = await connect(o);
        const key = await findKey(client, idOrName);
        const updated = await client.json<KeyView>('PATCH', `/keys/${encodeURIComponent(key.id)}`, { body: { enabled } });
        if (o.json) return printJson(updated);
        print(`${enabled ? 'Enabled' : 'Disabled'} key ${updated.name} (${updated.id}).`);
      }),
    );
  }

  withConnection(keys.command('revoke').description('delete a key for good (its requests get 401)').argument('<id-or-name>')).action(
    action(async (idOrName: string, o: ConnectionOptions) => {
      const client = await connect(o);
      const key = await findKey(client, idOrName);
      const res = await client.json<{ id: string; deleted: boolean }>('DELETE', `/keys/${encodeURIComponent(key.id)}`);
      if (o.json) return printJson(res);
      print(`Revoked key ${key.name} (${key.id}).`);
    }),
  );
}
