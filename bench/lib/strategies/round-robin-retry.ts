/**
 * Baseline 1, one-api-like: accounts in strict round-robin, no knowledge of limits; a failed
 * attempt (429, 5xx, 401, reset) is retried at once on the next account, up to RETRIES times,
 * and the last failure is what the client sees.
 */
import { newAgent } from '../http.ts';
import type { Outcome, Strategy, StrategyRun } from '../types.ts';
import { callAccount, isAccountFailure } from './upstream.ts';

/** Retries after the first attempt (one-api's RetryTimes is a small number; 3 is typical). */
export const RETRIES = 3;

export const roundRobinRetry: Strategy = {
  name: 'round-robin-retry',
  async start(scenario, simUrl): Promise<StrategyRun> {
    const agent = newAgent();
    const accounts = scenario.accounts;
    let cursor = 0;
    return {
      async send(req, signal): Promise<Outcome> {
        let last: Outcome = { status: 0, code: 'no_attempt', attempts: 0 };
        for (let attempt = 1; attempt <= 1 + RETRIES && !signal.aborted; attempt++) {
          const account = accounts[cursor++ % accounts.length];
          last = await callAccount(agent, simUrl, account, req, signal, attempt);
          if (!isAccountFailure(last)) return last;
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
