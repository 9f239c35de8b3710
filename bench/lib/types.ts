/**
 * Shapes shared by the pool benchmark's modules. A scenario describes the upstream fleet and
 * an offered workload once; every strategy (Sluice and the two baselines) replays exactly
 * the same requests at exactly the same offsets against its own fresh simulator.
 */
import type { SimAccount } from '../../src/sim/index.ts';

export type Priority = 'high' | 'normal' | 'low';
export type Endpoint = 'images' | 'chat';

/** One client of the gateway (Sluice config `clients[]`); baselines only use its name. */
export interface BenchClient {
  name: string;
  key: string;
  priority: Priority;
  weight: number;
  /** Sent as `x-sluice-max-wait-ms`: how long this client's requests may queue in Sluice. */
  maxWaitMs: number;
}

/** One request of the offered load: who sends what, and when (open loop, not on completion). */
export interface BenchRequest {
  id: number;
  client: string;
  priority: Priority;
  endpoint: Endpoint;
  /** The JSON body, identical for every strategy. */
  body: Record<string, unknown>;
  /** Cost in the limit unit that binds (images, or chat tokens by the simulator's rule). */
  tokens: number;
  /** Offset from the scenario's start, in real (scaled) milliseconds. */
  at: number;
}

/** Which targets of the issue a scenario is meant to judge. */
export interface ScenarioChecks {
  /** Offered above capacity: completed/min must reach ≥ 95 % of theoretical capacity. */
  throughput?: boolean;
  /** Every client's work fits its deadline: Sluice must show zero client-visible 429. */
  fitsDeadline?: boolean;
  /** High-priority p95 queue wait must stay under this refill interval (ms) while low backlog exists. */
  refillIntervalMs?: number;
  /** Client success must be ≥ 99.9 %. */
  success?: boolean;
  /** Report Jain's fairness index (clients of equal priority and weight). */
  fairness?: boolean;
}

/** A complete scenario: the fleet (simulator side), clients, workload and what it judges. */
export interface Scenario {
  id: string;
  title: string;
  /** One paragraph for docs/BENCHMARKS.md, generated from the actual numbers. */
  definition: string;
  model: string;
  accounts: SimAccount[];
  clients: BenchClient[];
  requests: BenchRequest[];
  /** What healthy accounts can complete per (scaled) minute, in requests, for the offered mix. */
  capacityPerMin: number;
  /**
   * The pool's limits per minute over healthy accounts: requests (Σ rpm, or Σ ipm for images)
   * and, for chat, tokens (Σ tpm). A row's capacity uses the mix it actually completed: a
   * strategy that drops large chat requests may legitimately complete more small ones.
   */
  poolPerMin: { requests: number; tokens?: number };
  /** Simulator latency of one upstream call of this scenario's endpoint, in real ms. */
  serviceMs: number;
  /** Bound on the whole run: outstanding requests are aborted after this many ms. */
  hardTimeoutMs: number;
  checks: ScenarioChecks;
}

/** What one strategy reports for one request. */
export interface Outcome {
  status: number;
  /** OpenAI error `code` (or a bench code such as `bench_timeout`) when status is not 200. */
  code?: string;
  /** Sluice only: `x-sluice-queue-ms`. */
  queueMs?: number;
  attempts: number;
}

/** One request's outcome with its client-side timing (ms since scenario start). */
export interface RequestResult extends Outcome {
  req: BenchRequest;
  sentAt: number;
  doneAt: number;
}

/** A strategy prepared for one scenario against one simulator. */
export interface StrategyRun {
  send(req: BenchRequest, signal: AbortSignal): Promise<Outcome>;
  /** Reads end-of-run facts (Sluice: scheduler CPU) and releases everything it started. */
  finish(): Promise<{ schedulerCpuMicros: number | null }>;
}

/** A way of spreading requests over accounts: Sluice itself, or a baseline. */
export interface Strategy {
  name: string;
  start(scenario: Scenario, simUrl: string, timeScale: number): Promise<StrategyRun>;
}
