/**
 * `sluice usage`: what the gateway's ledger says (`/admin/usage`, `/admin/usage/rows`): totals
 * per client, model, account or day as a table, or the API's CSV for spreadsheets.
 */
import { type Command, Option } from 'commander';
import type { ConnectionOptions } from './admin-client.ts';
import { action, connect, positiveInt, print, printJson, withConnection } from './admin-client.ts';
import { type Column, columnDecimals, formatInt, formatUsd, renderTable } from './table.ts';

const GROUPS = ['client', 'model', 'account', 'day'];

interface Counts {
  requests?: number;
  errors?: number;
  inputTextTokens: number;
  outputTextTokens: number;
  inputImageTokens: number;
  outputImageTokens: number;
  images: number;
  costUsd: number;
}

export type UsageGroupRow = Counts & Record<string, unknown>;

export interface UsageLedgerRow extends Counts {
  time: string;
  requestId: string;
  client: string;
  account: string | null;
  model: string;
  endpoint: string;
  status: number;
  attempts: number;
  queueMs: number;
  upstreamMs: number;
  cacheHit: boolean;
}

interface UsageFlags extends ConnectionOptions {
  groupBy: string;
  from?: string;
  to?: string;
  client?: string;
  csv?: boolean;
  rows?: boolean;
  limit?: number;
}

/** Sum of costs in whole nano-dollars, so a TOTAL of many rows has no floating-point dust. */
function sumUsd(values: readonly number[]): number {
  return values.reduce((s, v) => s + Math.round((v ?? 0) * 1e9), 0) / 1e9;
}

function sum(rows: readonly Counts[], f: (r: Counts) => number | undefined): number {
  return rows.reduce((s, r) => s + (f(r) ?? 0), 0);
}

const COUNT_COLUMNS: Column[] = [
  { header: 'IN TOKENS', align: 'right' },
  { header: 'OUT TOKENS', align: 'right' },
  { header: 'IN IMG TOKENS', align: 'right' },
  { header: 'OUT IMG TOKENS', align: 'right' },
  { header: 'IMAGES', align: 'right' },
  { header: 'COST USD', align: 'right' },
];

function counts(r: Counts, decimals: number): string[] {
  return [
    formatInt(r.inputTextTokens),
    formatInt(r.outputTextTokens),
    formatInt(r.inputImageTokens),
    formatInt(r.outputImageTokens),
    formatInt(r.images),
    formatUsd(r.costUsd, decimals),
  ];
}

function totals(rows: readonly Counts[]): Counts {
  return {
    requests: sum(rows, (r) => r.requests),
    errors: sum(rows, (r) => r.errors),
    inputTextTokens: sum(rows, (r) => r.inputTextTokens),
    outputTextTokens: sum(rows, (r) => r.outputTextTokens),
    inputImageTokens: sum(rows, (r) => r.inputImageTokens),
    outputImageTokens: sum(rows, (r) => r.outputImageTokens),
    images: sum(rows, (r) => r.images),
    costUsd: sumUsd(rows.map((r) => r.costUsd)),
  };
}

/** The grouped usage table, with a TOTAL line. */
export function usageTable(groupBy: string, rows: readonly UsageGroupRow[]): string {
  const total = totals(rows);
  const decimals = columnDecimals([...rows.map((r) => r.costUsd), total.costUsd]);
  return renderTable(
    [{ header: groupBy.toUpperCase() }, { header: 'REQUESTS', align: 'right' }, { header: 'ERRORS', align: 'right' }, ...COUNT_COLUMNS],
    rows.map((r) => [r[groupBy] ?? '-', formatInt(r.requests), formatInt(r.errors), ...counts(r, decimals)]),
    [['TOTAL', formatInt(total.requests), formatInt(total.errors), ...counts(total, decimals)]],
  );
}

/** The ledger rows table (`--rows`), with a TOTAL line. */
export function rowsTable(rows: readonly UsageLedgerRow[]): string {
  const total = totals(rows);
  const decimals = columnDecimals([...rows.map((r) => r.costUsd), total.costUsd]);
  return renderTable(
    [
      { header: 'TIME' },
      { header: 'CLIENT' },
      { header: 'MODEL' },
      { header: 'ACCOUNT' },
      { header: 'ENDPOINT' },
      { header: 'STATUS', align: 'right' },
      ...COUNT_COLUMNS,
      { header: 'QUEUE MS', align: 'right' },
      { header: 'UPSTREAM MS', align: 'right' },
    ],
    rows.map((r) => [r.time, r.client, r.model, r.account ?? '-', r.endpoint, r.status, ...counts(r, decimals), formatInt(r.queueMs), formatInt(r.upstreamMs)]),
    [[`TOTAL (${formatInt(rows.length)} rows)`, '', '', '', '', '', ...counts(total, decimals)]],
  );
}

export function registerUsageCommand(program: Command): void {
  const usage = program
    .command('usage')
    .description('usage and cost from the ledger: totals per client, model, account or day')
    .addOption(new Option('--group-by <key>', 'what to total by').choices(GROUPS).default('client'))
    .option('--from <time>', 'start, inclusive: ISO date/time or epoch ms (default: today 00:00 UTC)')
    .option('--to <time>', 'end, exclusive: ISO date/time or epoch ms (default: now)')
    .option('--client <name>', 'only this client')
    .option('--csv', 'print CSV (for spreadsheets) instead of a table')
    .option('--rows', 'list the ledger rows (one per request) instead of totals')
    .option('--limit <n>', 'with --rows: most rows to return (gateway default 10000)', positiveInt);
  withConnection(usage).action(
      action(async (o: UsageFlags) => {
        const client = await connect(o);
        const query = { from: o.from, to: o.to, client: o.client };
        const path = o.rows ? '/usage/rows' : '/usage';
        const q = o.rows ? { ...query, limit: o.limit } : { ...query, group_by: o.groupBy };
        if (o.csv) {
          // The gateway's own CSV, byte for byte (empty when there is nothing in the range).
          process.stdout.write(await client.text('GET', path, { query: { ...q, format: 'csv' } }));
          return;
        }
        if (o.rows) {
          const res = await client.json<{ data: UsageLedgerRow[] }>('GET', path, { query: q });
          if (o.json) return printJson(res);
          print(res.data.length ? rowsTable(res.data) : `No requests in this period${o.from ? '' : ' (default: today since 00:00 UTC; see --from and --to)'}.`);
          return;
        }
        const res = await client.json<{ data: UsageGroupRow[] }>('GET', path, { query: q });
        if (o.json) return printJson(res);
        print(res.data.length ? usageTable(o.groupBy, res.data) : `No usage in this period${o.from ? '' : ' (default: today since 00:00 UTC; see --from and --to)'}.`);
      }),
    );
}
