/**
 * The scenarios of the pool benchmark (issue "npm run bench:pool"). Each builder returns
 * the fleet, clients and the exact offered load; `--quick` shrinks counts, never the shape.
 * Capacities are computed from the limits, so the table's "% of capacity" has one source.
 */
import { client, fleet, finishScenario, healthyCount, idealDurationMs, LATENCY_MS, n0, type ScenarioParams, windowMs } from './scenario-kit.ts';
import type { Scenario } from './types.ts';
import { chatRequest, imageRequest, schedule, seededRandom } from './workload.ts';

const IPM = 50;

/** (a) Bulk images: N accounts × 50 images/min, offered at 2× capacity for 1.5 minutes. */
function imagesAtTwiceCapacity(p: ScenarioParams): Scenario {
  const n = p.quick ? 5 : 20;
  const W = windowMs(p);
  const capacity = n * IPM;
  const count = Math.round(2 * capacity * 1.5);
  const requests = schedule([{ client: 'batch', priority: 'normal', count, startMs: 0, spanMs: 1.5 * W, make: imageRequest }]);
  const serviceMs = LATENCY_MS.images * p.timeScale;
  const wait = 2 * idealDurationMs(requests, capacity, serviceMs, p);
  return finishScenario({
    id: 'a',
    title: 'images at 2× capacity',
    definition: `${n} accounts × gpt-image-1 {ipm ${IPM}, rpm ${IPM}} = ${n0(capacity)} images/min; ${n0(count)} image requests from one client, evenly spaced over 1.5 min (2× capacity); deadline ${n0(wait)} ms.`,
    model: 'gpt-image-1',
    accounts: fleet(n, 'gpt-image-1', { ipm: IPM, rpm: IPM }),
    clients: [client('batch', 'normal', wait)],
    requests,
    capacityPerMin: capacity,
    poolPerMin: { requests: capacity },
    serviceMs,
    checks: { throughput: true, fitsDeadline: true },
  }, p);
}

/** (b) Chat where RPM and TPM both bind: a 50/50 mix of small and large requests at 1.5×. */
function chatRpmAndTpm(p: ScenarioParams): Scenario {
  const n = p.quick ? 4 : 10;
  const W = windowMs(p);
  const rpm = 60;
  const tpm = 48_000; // = rpm × the mix's mean of 800 tokens: both limits bind at once
  const rnd = seededRandom(42);
  const spanW = p.quick ? 1 : 2;
  const count = Math.round(1.5 * n * rpm * spanW);
  const requests = schedule([
    { client: 'chat', priority: 'normal', count, startMs: 0, spanMs: spanW * W, make: () => (rnd() < 0.5 ? chatRequest(25, 75) : chatRequest(100, 1400)) },
  ]);
  const meanTokens = requests.reduce((s, r) => s + r.tokens, 0) / requests.length;
  const capacity = Math.min(n * rpm, (n * tpm) / meanTokens);
  const serviceMs = LATENCY_MS.chat * p.timeScale;
  const wait = 2 * idealDurationMs(requests, capacity, serviceMs, p);
  return finishScenario({
    id: 'b',
    title: 'chat, RPM and TPM binding',
    definition: `${n} accounts × gpt-4o-mini {rpm ${rpm}, tpm ${n0(tpm)}}; ${n0(count)} chat requests over ${spanW} min, half ~100 tokens (25 prompt + 75 completion), half ~1,500 (100 + 1,400), mean ${n0(meanTokens)} tokens, so capacity = min(${n0(n * rpm)} req/min, ${n0(n * tpm)} tpm / ${n0(meanTokens)}) = ${n0(capacity)} req/min; offered at ~1.5×; deadline ${n0(wait)} ms.`,
    model: 'gpt-4o-mini',
    accounts: fleet(n, 'gpt-4o-mini', { rpm, tpm }),
    clients: [client('chat', 'normal', wait)],
    requests,
    capacityPerMin: capacity,
    poolPerMin: { requests: n * rpm, tokens: n * tpm },
    serviceMs,
    checks: { throughput: true, fitsDeadline: true },
  }, p);
}

/** (c) Priorities: a low-priority backlog of 2× capacity first, then steady normal and high streams. */
function priorityBurst(p: ScenarioParams): Scenario {
  const n = p.quick ? 4 : 10;
  const W = windowMs(p);
  const capacity = n * IPM;
  const stream = Math.round(0.2 * capacity * 2);
  const requests = schedule([
    { client: 'backfill', priority: 'low', count: 2 * capacity, startMs: 0, spanMs: 0, make: imageRequest },
    { client: 'app', priority: 'normal', count: stream, startMs: 0.25 * W, spanMs: 2 * W, make: imageRequest },
    { client: 'interactive', priority: 'high', count: stream, startMs: 0.25 * W, spanMs: 2 * W, make: imageRequest },
  ]);
  const serviceMs = LATENCY_MS.images * p.timeScale;
  const wait = 2 * idealDurationMs(requests, capacity, serviceMs, p);
  const refill = W / IPM;
  return finishScenario({
    id: 'c',
    title: 'mixed-priority burst',
    definition: `${n} accounts × gpt-image-1 {ipm ${IPM}} = ${n0(capacity)} images/min. Client "backfill" (low) sends ${n0(2 * capacity)} requests at t=0 (2× capacity); from 0.25 min, "app" (normal) and "interactive" (high) each send ${n0(stream)} evenly over 2 min (20 % of capacity each). The low backlog outlasts both streams. One refill interval = one window / ipm = ${n0(refill)} ms (60 s / ${IPM} unscaled): the steady-state time for one account to free one image slot. Deadline ${n0(wait)} ms for all.`,
    model: 'gpt-image-1',
    accounts: fleet(n, 'gpt-image-1', { ipm: IPM }),
    clients: [client('backfill', 'low', wait), client('app', 'normal', wait), client('interactive', 'high', wait)],
    requests,
    capacityPerMin: capacity,
    poolPerMin: { requests: capacity },
    serviceMs,
    checks: { fitsDeadline: true, refillIntervalMs: refill },
  }, p);
}

/** (c2) Fairness: two equal normal clients, one sending 10× the other's rate, beyond capacity. */
function fairShare(p: ScenarioParams): Scenario {
  const n = p.quick ? 3 : 5;
  const W = windowMs(p);
  const capacity = n * IPM;
  const spanW = p.quick ? 1 : 2;
  const steady = Math.round(0.3 * capacity * spanW);
  const requests = schedule([
    { client: 'steady', priority: 'normal', count: steady, startMs: 0, spanMs: spanW * W, make: imageRequest },
    { client: 'bursty', priority: 'normal', count: 10 * steady, startMs: 0, spanMs: spanW * W, make: imageRequest },
  ]);
  const serviceMs = LATENCY_MS.images * p.timeScale;
  return finishScenario({
    id: 'c2',
    title: 'fairness, one client bursts 10×',
    definition: `${n} accounts × gpt-image-1 {ipm ${IPM}} = ${n0(capacity)} images/min. Two normal clients of equal weight over ${spanW} min: "steady" sends ${n0(steady)} (30 % of capacity), "bursty" ${n0(10 * steady)} (10× that, 3× capacity). Deadline one window (${n0(W)} ms), so most of the burst cannot fit and is refused; the question is who gets the capacity. Fair share = max-min split of what was completed, capped by each client's demand.`,
    model: 'gpt-image-1',
    accounts: fleet(n, 'gpt-image-1', { ipm: IPM }),
    clients: [client('steady', 'normal', W), client('bursty', 'normal', W)],
    requests,
    capacityPerMin: capacity,
    poolPerMin: { requests: capacity },
    serviceMs,
    checks: { fairness: true },
  }, p);
}

/** (d) Failing accounts: 20 % answer 500, one has a revoked key; offered below healthy capacity. */
function failingAccounts(p: ScenarioParams): Scenario {
  const n = 10;
  const W = windowMs(p);
  const rpm = p.quick ? 100 : 200;
  const accounts = fleet(n, 'gpt-4o-mini', { rpm, tpm: 1_000_000 }, { 1: { error500Rate: 1 }, 5: { error500Rate: 1 }, 8: { invalidKey: true } });
  const capacity = healthyCount(accounts) * rpm;
  const spanW = p.quick ? 1 : 2;
  const count = Math.round(0.5 * n * rpm * spanW);
  const requests = schedule([{ client: 'svc', priority: 'normal', count, startMs: 0, spanMs: spanW * W, make: () => chatRequest(25, 75) }]);
  const serviceMs = LATENCY_MS.chat * p.timeScale;
  const wait = 2 * idealDurationMs(requests, capacity, serviceMs, p);
  return finishScenario({
    id: 'd',
    title: 'failing accounts',
    definition: `${n} accounts × gpt-4o-mini {rpm ${rpm}}: acct-02 and acct-06 answer every call with 500, acct-09 with 401 (invalid key). Healthy capacity ${n0(capacity)} req/min (7 accounts); ${n0(count)} small chat requests over ${spanW} min (${n0(0.5 * n * rpm)}/min, ${Math.round((50 * n * rpm) / capacity)} % of healthy capacity); deadline ${n0(wait)} ms.`,
    model: 'gpt-4o-mini',
    accounts,
    clients: [client('svc', 'normal', wait)],
    requests,
    capacityPerMin: capacity,
    poolPerMin: { requests: capacity, tokens: healthyCount(accounts) * 1_000_000 },
    serviceMs,
    checks: { fitsDeadline: true, success: true },
  }, p);
}

/** Every scenario, by id, in table order. */
export const SCENARIOS: Record<string, (p: ScenarioParams) => Scenario> = {
  a: imagesAtTwiceCapacity,
  b: chatRpmAndTpm,
  c: priorityBurst,
  c2: fairShare,
  d: failingAccounts,
};
