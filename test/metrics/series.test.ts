import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestSeries } from '../../src/metrics/index.ts';

describe('the request series the dashboard charts', () => {
  it('counts answers per 10-second bucket over the last hour, oldest first', () => {
    const s = new RequestSeries();
    const t = 1_800_000_000_000; // a bucket boundary
    s.add(200, undefined, t);
    s.add(200, undefined, t + 1_000);
    s.add(502, 'upstream_error', t + 2_000);
    s.add(200, undefined, t + 10_000);
    const v = s.view(t + 10_000);
    assert.equal(v.stepSeconds, 10);
    assert.equal(v.requests.length, 360);
    assert.deepEqual(v.requests.slice(-2), [3, 1]);
    assert.deepEqual(v.serverErrors.slice(-2), [1, 0]);
    assert.equal(v.start, t + 10_000 - 359 * 10_000);
  });

  it("tells the pool's 429 from a client's own quota", () => {
    const s = new RequestSeries();
    const t = 1_800_000_000_000;
    s.add(429, 'rate_limit_exceeded', t);
    s.add(429, 'client_rate_limit_exceeded', t);
    s.add(429, 'budget_exceeded', t);
    s.add(400, 'invalid_value', t);
    const v = s.view(t);
    assert.equal(v.rateLimited.at(-1), 1, 'only the pool running out counts as rate limited');
    assert.equal(v.clientErrors.at(-1), 3);
  });

  it('forgets buckets older than an hour', () => {
    const s = new RequestSeries();
    const t = 1_800_000_000_000;
    s.add(200, undefined, t);
    const v = s.view(t + 3_600_000);
    assert.equal(v.requests.reduce((a, b) => a + b, 0), 0);
  });
});
