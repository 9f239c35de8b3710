import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSimConfig, runSimCommand } from '../../src/sim/index.ts';
import { chat, post, start } from './helpers.ts';

const KEY = 'sk-sim-stats-0001';

test('GET /sim/stats mirrors stats(); POST /sim/reset zeroes stats and windows', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY, limits: { 'gpt-4o-mini': { rpm: 1 } } }, { name: 'b', key: 'sk-b' }] });
  t.after(() => sim.close());
  await post(sim, '/v1/chat/completions', KEY, chat());
  await post(sim, '/v1/chat/completions', KEY, chat());
  await post(sim, '/v1/chat/completions', 'sk-b', chat('anything'));
  const served = await (await fetch(`${sim.url}/sim/stats`)).json();
  assert.deepEqual(served, sim.stats());
  assert.deepEqual(served.accounts.a, { accepted: 1, rateLimited: 1, violations: 1, faults: 0, inFlight: 0, maxInFlight: 1, byModel: { 'gpt-4o-mini': { accepted: 1, violations: 1 } } });
  assert.equal(served.accounts.b.byModel.anything.accepted, 1);
  assert.deepEqual([served.totals.accepted, served.totals.violations, served.totals.rateLimited], [2, 1, 1]);
  assert.deepEqual(served.totals.byModel['gpt-4o-mini'], { accepted: 1, violations: 1 });
  assert.equal((await post(sim, '/sim/reset', '', {})).status, 200);
  const zeroed = sim.stats();
  assert.deepEqual([zeroed.totals.accepted, zeroed.totals.violations, zeroed.accounts.a.maxInFlight], [0, 0, 0]);
  assert.deepEqual(zeroed.accounts.a.byModel, {});
  assert.equal((await post(sim, '/v1/chat/completions', KEY, chat())).status, 200, 'the rpm window was cleared');
  sim.reset();
  assert.equal((await post(sim, '/v1/chat/completions', KEY, chat())).status, 200, 'reset() clears windows too');
});

test('loadSimConfig reads YAML and names a bad field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-sim-'));
  const good = join(dir, 'sim.yaml');
  writeFileSync(
    good,
    [
      'port: 0',
      'timeScale: 0.5',
      'seed: 7',
      'models: [extra]',
      'latencyMs: { chat: 10 }',
      'accounts:',
      '  - name: oa-1',
      '    key: sk-one',
      '    maxConcurrent: 4',
      '    limits:',
      '      gpt-image-1: { ipm: 50, burst: { requests: 5, perSeconds: 10 } }',
      '    faults: { error500Rate: 0.01 }',
    ].join('\n'),
  );
  const opts = loadSimConfig(good);
  assert.equal(opts.timeScale, 0.5);
  assert.deepEqual(opts.accounts[0].limits?.['gpt-image-1'], { ipm: 50, burst: { requests: 5, perSeconds: 10 } });
  assert.equal(opts.accounts[0].faults?.error500Rate, 0.01);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'accounts:\n  - name: x\n    key: k\n    limits: { m: { rpm: -1 } }\n');
  assert.throws(() => loadSimConfig(bad), /rpm/);
  writeFileSync(bad, 'accounts:\n  - name: x\n    key: k\n    faults: { errorRate: 0.5 }\n');
  assert.throws(() => loadSimConfig(bad), /errorRate/);
});

test('runSimCommand without a config starts N default accounts and prints them', async (t) => {
  const log = t.mock.method(console, 'log', () => {});
  const sim = await runSimCommand({ port: 0, accounts: 2, timeScale: 0.01, ipm: 3 });
  t.after(() => sim.close());
  const printed = log.mock.calls.map((c) => String(c.arguments[0])).join('\n');
  assert.ok(printed.includes(sim.url));
  assert.ok(printed.includes('sim-1') && printed.includes('sk-sim-2'));
  assert.deepEqual(Object.keys(sim.stats().accounts), ['sim-1', 'sim-2']);
  const r = await post(sim, '/v1/images/generations', 'sk-sim-2', { model: 'gpt-image-1', prompt: 'x', n: 3 });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-ratelimit-limit-requests'), '3', 'ipm override applied');
  assert.equal((await post(sim, '/v1/chat/completions', 'sk-sim-1', chat('unknown-model'))).status, 404);
});

test('startSimulator rejects duplicate keys', async () => {
  await assert.rejects(start({ accounts: [{ name: 'a', key: 'k' }, { name: 'b', key: 'k' }] }), /duplicate key/);
});
