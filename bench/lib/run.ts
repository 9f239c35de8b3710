/**
 * Runs one (scenario, strategy) pair against a FRESH simulator (same accounts, same seed),
 * so no strategy inherits another's windows, cooldowns or counters, and measures what
 * cannot be seen from the results: process CPU and event-loop delay (the whole bench shares
 * one process, so a saturated event loop would distort every timing; the table shows it).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startSimulator } from '../../src/sim/index.ts';
import { type LoadResult, runLoad } from './load.ts';
import { failedRow, type Row, toRow } from './metrics.ts';
import { LATENCY_MS, type ScenarioParams, windowMs } from './scenario-kit.ts';
import type { Scenario, Strategy, StrategyRun } from './types.ts';

/** The simulator's fault RNG seed: identical for every strategy of a scenario. */
const SEED = 1;

/** Replays the load and measures this process's CPU and event-loop delay meanwhile. */
async function measure(scenario: Scenario, run: StrategyRun): Promise<{ load: LoadResult; cpuMicros: number; loopP99Ms: number }> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const load = await runLoad(scenario.requests, run, scenario.hardTimeoutMs);
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  return { load, cpuMicros: cpu.user + cpu.system, loopP99Ms: loop.percentile(99) / 1e6 };
}

/** One row of the table; a run that cannot be carried out becomes a row saying why. */
export async function runOne(scenario: Scenario, strategy: Strategy, p: ScenarioParams): Promise<Row> {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, timeScale: p.timeScale, seed: SEED, accounts: scenario.accounts, latencyMs: { ...LATENCY_MS } });
  let open: StrategyRun | undefined;
  try {
    open = await strategy.start(scenario, sim.url, p.timeScale);
    const m = await measure(scenario, open);
    const stats = sim.stats();
    const run = open;
    open = undefined;
    const { schedulerCpuMicros } = await run.finish();
    const facts = { sim: stats, cpuMicros: m.cpuMicros, loopP99Ms: m.loopP99Ms, schedulerCpuMicros: strategy.name === 'sluice' ? schedulerCpuMicros : undefined };
    return toRow(scenario, strategy.name, m.load, facts, windowMs(p));
  } catch (err) {
    return failedRow(scenario, strategy.name, err instanceof Error ? err.message : String(err));
  } finally {
    await open?.finish().catch(() => undefined);
    await sim.close();
  }
}
