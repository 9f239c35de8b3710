/**
 * Baseline 2, LiteLLM-router-like ("simple-shuffle" with default cooldowns): weighted random
 * among accounts not cooling down and not yet tried by this request. A 429 or 401 cools the
 * account at once; 5xx cools it after more than ALLOWED_FAILS failures within a minute. The
 * 5 s cooldown and the minute are scaled by the time scale, like every other duration, so the
 * baseline sees the same relative timing it would in real time. When every account is cooling,
 * the client gets 429 `no_deployments_available`, as LiteLLM answers.
 */
import type { SimAccount } from '../../../src/sim/index.ts';
import { newAgent } from '../http.ts';
import type { Outcome, Strategy, StrategyRun } from '../types.ts';
import { seededRandom } from '../workload.ts';
import { callAccount, isAccountFailure } from './upstream.ts';
import { RETRIES } from './round-robin-retry.ts';

const COOLDOWN_MS = 5_000;
const ALLOWED_FAILS = 3;

/** Cooldown bookkeeping of one run (all accounts have weight 1 in every scenario). */
class Cooldowns {
  readonly #until = new Map<string, number>();
  readonly #fails = new Map<string, number[]>();
  readonly #cooldownMs: number;
  readonly #minuteMs: number;

  constructor(timeScale: number) {
    this.#cooldownMs = COOLDOWN_MS * timeScale;
    this.#minuteMs = 60_000 * timeScale;
  }

  available(a: SimAccount, now: number): boolean {
    return (this.#until.get(a.name) ?? 0) <= now;
  }

  /** Applies LiteLLM's rule to one failed attempt. */
  failed(a: SimAccount, o: Outcome, now: number): void {
    if (o.status === 429 || o.status === 401) {
      this.#until.set(a.name, now + this.#cooldownMs);
      return;
    }
    const recent = (this.#fails.get(a.name) ?? []).filter((t) => t > now - this.#minuteMs);
    recent.push(now);
    this.#fails.set(a.name, recent);
    if (recent.length > ALLOWED_FAILS) this.#until.set(a.name, now + this.#cooldownMs);
  }
}

export const randomCooldown: Strategy = {
  name: 'random-cooldown',
  async start(scenario, simUrl, timeScale): Promise<StrategyRun> {
    const agent = newAgent();
    const rnd = seededRandom(7);
    const cool = new Cooldowns(timeScale);
    return {
      async send(req, signal): Promise<Outcome> {
        const tried = new Set<string>();
        let last: Outcome = { status: 429, code: 'no_deployments_available', attempts: 0 };
        for (let attempt = 1; attempt <= 1 + RETRIES && !signal.aborted; attempt++) {
          const now = performance.now();
          const open = scenario.accounts.filter((a) => !tried.has(a.name) && cool.available(a, now));
          if (open.length === 0) return { status: 429, code: 'no_deployments_available', attempts: attempt - 1 };
          const account = open[Math.floor(rnd() * open.length)];
          tried.add(account.name);
          last = await callAccount(agent, simUrl, account, req, signal, attempt);
          if (!isAccountFailure(last)) return last;
          cool.failed(account, last, performance.now());
        }
        return last;
      },
      async finish() {
        await agent.destroy();
        return { schedulerCpuMicros: null };
      },
    };
  },
};
