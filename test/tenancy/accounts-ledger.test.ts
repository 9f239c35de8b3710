import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { startSimulator } from '../../src/sim/index.ts';
import { openStore } from '../../src/store/index.ts';
import { admin, chatAs, CLIENT_KEY, startHarness, TEST_SECRET } from '../helpers/harness.ts';

const UPSTREAM_KEY = 'sk-live-RUNTIME-ADDED-SECRET-9f8e7d';

describe('accounts at run time, encrypted at rest', () => {
  test('add → used at once; disable → not used; the key is unreadable in the database file; restart restores it; remove', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-acct-'));
    const file = join(dir, 'sluice.db');
    const store = await openStore({ sqlite: file });
    const h = await startHarness({ store, simAccounts: [{ name: 'a', key: 'sk-a-key-0001' }, { name: 'runtime', key: UPSTREAM_KEY }], accounts: [{ name: 'a', apiKey: 'sk-a-key-0001', models: ['gpt-4o-mini'] }] });
    try {
      const added = await admin<Record<string, unknown>>(h, '/accounts', {
        method: 'POST',
        body: JSON.stringify({ name: 'runtime', provider: 'openai-compatible', baseUrl: `${h.sim.url}/v1`, apiKey: UPSTREAM_KEY, models: ['gpt-4o-mini'], weight: 1000 }),
      });
      assert.ok(!JSON.stringify(added).includes(UPSTREAM_KEY));
      assert.equal((await chatAs(h, CLIENT_KEY)).account, 'runtime', 'the new account is used at once');
      await admin(h, '/accounts/runtime/disable', { method: 'POST' });
      for (let i = 0; i < 3; i++) assert.equal((await chatAs(h, CLIENT_KEY)).account, 'a');
      await admin(h, '/accounts/runtime/enable', { method: 'POST' });
      const list = await fetch(`${h.url}/admin/accounts`, { headers: { authorization: 'Bearer admin-token-for-tests' } });
      assert.ok(!(await list.text()).includes(UPSTREAM_KEY), 'no API returns the key');
      await h.app.close();
      const bytes = readFileSync(file).toString('latin1') + (() => {
        try {
          return readFileSync(`${file}-wal`).toString('latin1');
        } catch {
          return '';
        }
      })();
      assert.ok(bytes.includes('runtime'), 'the account row is in the file');
      assert.ok(!bytes.includes(UPSTREAM_KEY), 'the API key is not readable in the database file');
      // A restart with the same secret brings the account back.
      const h2 = await startHarness({ store, secret: TEST_SECRET, simAccounts: [{ name: 'runtime', key: UPSTREAM_KEY }], accounts: [] });
      try {
        assert.equal((await chatAs(h2, CLIENT_KEY)).account, 'runtime');
        await admin(h2, '/accounts/runtime', { method: 'DELETE' });
        assert.equal((await chatAs(h2, CLIENT_KEY)).status, 404, 'no account serves the model any more');
        assert.equal(await store.accounts.get('runtime'), undefined);
      } finally {
        await h2.close();
      }
    } finally {
      await h.sim.close();
      await store.close();
    }
  });

  test('adding an account needs SLUICE_SECRET', async () => {
    const h = await startHarness({ secret: '' });
    try {
      const res = await fetch(`${h.url}/admin/accounts`, {
        method: 'POST',
        headers: { authorization: 'Bearer admin-token-for-tests', 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x', provider: 'openai', apiKey: 'sk-x' }),
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'secret_missing');
    } finally {
      await h.close();
    }
  });
});

describe('the usage ledger survives a graceful shutdown', () => {
  test('SIGTERM under load: ledger rows equal the requests answered', async () => {
    const sim = await startSimulator({ port: 0, timeScale: 0.02, accounts: [{ name: 'u', key: 'sk-u-key-00001' }] });
    const dir = mkdtempSync(join(tmpdir(), 'sluice-term-'));
    const db = join(dir, 'ledger.db');
    const cfg = join(dir, 'sluice.yaml');
    writeFileSync(
      cfg,
      `server: { host: 127.0.0.1, port: 0, logLevel: info }\nstore: { sqlite: ${db} }\nclients:\n  - { name: load, key: ${CLIENT_KEY} }\naccounts:\n  - { name: u, provider: openai-compatible, baseUrl: "${sim.url}/v1", apiKey: sk-u-key-00001, models: [gpt-4o-mini] }\n`,
    );
    const child = spawn(process.execPath, ['bin/sluice.mjs', 'serve', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      let url = '';
      for (let i = 0; i < 200 && !url; i++) {
        url = /listening on (http:\/\/[\d.:]+)/.exec(out)?.[1] ?? '';
        await sleep(50);
      }
      assert.ok(url, `the gateway started: ${out}`);
      let ok = 0;
      let stop = false;
      const worker = async () => {
        while (!stop) {
          try {
            const res = await fetch(`${url}/v1/chat/completions`, {
              method: 'POST',
              headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
              body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 3 }),
            });
            await res.arrayBuffer();
            if (res.status === 200) ok++;
          } catch {
            return; // the gateway stopped listening
          }
        }
      };
      const workers = Array.from({ length: 20 }, worker);
      await sleep(400);
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      stop = true;
      await Promise.all(workers);
      assert.equal(code, 0, out);
      assert.ok(ok > 20, `requests were answered under load (${ok})`);
      const store = await openStore({ sqlite: db });
      try {
        const rows = await store.usage.rows({ from: 0, to: Date.now() + 1, limit: 100_000 });
        assert.equal(rows.filter((r) => r.status === 200).length, ok);
      } finally {
        await store.close();
      }
    } finally {
      child.kill('SIGKILL');
      await sim.close();
    }
  });
});
