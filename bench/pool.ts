/**
 * `npm run bench:pool`: Sluice against two baseline strategies (one-api-like round-robin with
 * retries, LiteLLM-like random with cooldowns) on the simulator, for the scenarios of the
 * "bench:pool" issue. Prints the tables and writes them into docs/BENCHMARKS.md.
 *
 *   npm run bench:pool                       # full run (a few minutes)
 *   npm run bench:pool -- --quick            # smoke run (smaller counts, ~30 s)
 *   npm run bench:pool -- --scenario a,c2    # some scenarios only
 *   npm run bench:pool -- --no-write         # do not touch docs/BENCHMARKS.md
 *   npm run bench:pool -- --time-scale 0.1 --strategy sluice
 *
 * Everything runs in this one process on 127.0.0.1; every scenario stops by itself (hard
 * timeout) and the script exits when done.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { section, writeSection } from './lib/doc.ts';
import type { Row } from './lib/metrics.ts';
import { runOne } from './lib/run.ts';
import type { ScenarioParams } from './lib/scenario-kit.ts';
import { SCENARIOS } from './lib/scenarios.ts';
import { randomCooldown } from './lib/strategies/random-cooldown.ts';
import { roundRobinRetry } from './lib/strategies/round-robin-retry.ts';
import { sluice } from './lib/strategies/sluice.ts';
import { renderText, THROUGHPUT, WAITS } from './lib/table.ts';
import { judge, renderTargets, schedulerCpuSummary } from './lib/targets.ts';
import type { Strategy } from './lib/types.ts';

const STRATEGIES: Strategy[] = [sluice, roundRobinRetry, randomCooldown];
const DOC = fileURLToPath(new URL('../docs/BENCHMARKS.md', import.meta.url));

interface Options {
  params: ScenarioParams;
  scenarioIds: string[];
  strategies: Strategy[];
  write: boolean;
}

/** Parses and checks the flags; an unknown scenario or strategy is an error, not a silent skip. */
function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      scenario: { type: 'string' },
      strategy: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      'time-scale': { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  const timeScale = Number(values['time-scale'] ?? (quick ? 0.02 : 0.05));
  if (!(timeScale > 0 && timeScale <= 1)) throw new Error(`--time-scale must be in (0, 1], got ${values['time-scale']}`);
  const scenarioIds = values.scenario ? values.scenario.split(',').map((s) => s.trim()) : Object.keys(SCENARIOS);
  for (const id of scenarioIds) if (!SCENARIOS[id]) throw new Error(`unknown scenario "${id}" (known: ${Object.keys(SCENARIOS).join(', ')})`);
  const names = values.strategy ? values.strategy.split(',').map((s) => s.trim()) : STRATEGIES.map((s) => s.name);
  const strategies = names.map((n) => {
    const s = STRATEGIES.find((x) => x.name === n);
    if (!s) throw new Error(`unknown strategy "${n}" (known: ${STRATEGIES.map((x) => x.name).join(', ')})`);
    return s;
  });
  return { params: { timeScale, quick }, scenarioIds, strategies, write: !values['no-write'] };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opts = options(argv);
  const scenarios = opts.scenarioIds.map((id) => SCENARIOS[id](opts.params));
  const rows: Row[] = [];
  const t0 = performance.now();
  for (const s of scenarios) {
    for (const strategy of opts.strategies) {
      process.stderr.write(`bench:pool (${s.id}) ${s.title} — ${strategy.name}: ${s.requests.length} requests, hard timeout ${(s.hardTimeoutMs / 1000).toFixed(1)} s ... `);
      const row = await runOne(s, strategy, opts.params);
      process.stderr.write(row.failure ? `FAILED: ${row.failure}\n` : `${row.completed}/${row.offered} ok in ${(row.wallMs / 1000).toFixed(1)} s\n`);
      rows.push(row);
    }
  }
  const names = opts.strategies.map((s) => s.name);
  const targets = judge(scenarios, rows);
  console.log(`\nbench:pool — time scale ${opts.params.timeScale} (a minute lasts ${Math.round(60_000 * opts.params.timeScale)} ms), total ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  console.log(`${renderText(THROUGHPUT, rows)}\n\n${renderText(WAITS, rows)}\n`);
  console.log(`targets:\n${renderTargets(targets, names, true)}\nscheduler CPU per request: ${schedulerCpuSummary(rows)}\n`);
  if (opts.write) {
    const command = `npm run bench:pool${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
    writeSection(DOC, section({ command, params: opts.params, scenarios, rows, targets, strategies: names }));
    console.log(`wrote the "## bench:pool" section of ${DOC}`);
  }
}

main().then(
  () => {
    // Everything was closed; if a stray handle still holds the event loop, say so and leave.
    setTimeout(() => {
      console.error('bench:pool: handles still open after the run; exiting anyway');
      process.exit(0);
    }, 5_000).unref();
  },
  (err: unknown) => {
    console.error(`bench:pool: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
