import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { startSimulator } from '../../src/sim/index.ts';

const KEY = 'sk-client-crash-0001';

/** Starts `sluice serve` on the config; resolves with the child and its URL. */
async function serve(cfg: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['bin/sluice.mjs', 'serve', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  for (let i = 0; i < 300; i++) {
    const url = /listening on (http:\/\/[\d.:]+)/.exec(out)?.[1];
    if (url) return { child, url };
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`sluice serve did not start: ${out}`);
}

describe('crash safety', () => {
  test('SIGKILL mid-batch, restart on the same store: the batch resumes and every custom_id is in the output exactly once', async () => {
    // One account, 30 chat requests per (scaled) minute of 1.2 s: 90 lines take several seconds.
    const sim = await startSimulator({ port: 0, timeScale: 0.02, accounts: [{ name: 'u', key: 'sk-u-key-00001', limits: { 'gpt-4o-mini': { rpm: 30 } } }] });
    const dir = mkdtempSync(join(tmpdir(), 'sluice-crash-'));
    const cfg = join(dir, 'sluice.yaml');
    writeFileSync(
      cfg,
      [
        'server: { host: 127.0.0.1, port: 0 }',
        `store: { sqlite: ${join(dir, 'sluice.db')} }`,
        'clients:',
        `  - { name: batcher, key: ${KEY} }`,
        'accounts:',
        `  - { name: u, provider: openai-compatible, baseUrl: "${sim.url}/v1", apiKey: sk-u-key-00001, limits: { gpt-4o-mini: { rpm: 30 } } }`,
        'scheduler: { timeScale: 0.02 }',
        'batch: { pollMs: 50, leaseMs: 3000 }',
        '',
      ].join('\n'),
    );
    let first: ChildProcess | undefined;
    let second: ChildProcess | undefined;
    try {
      const a = await serve(cfg);
      first = a.child;
      const client = new OpenAI({ apiKey: KEY, baseURL: `${a.url}/v1`, maxRetries: 0 });
      const ids = Array.from({ length: 90 }, (_, i) => `line-${i}`);
      const input = ids.map((id) => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: id }], max_completion_tokens: 2 } }));
      const file = await client.files.create({ file: await toFile(Buffer.from(input.join('\n')), 'in.jsonl'), purpose: 'batch' });
      const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      let done = 0;
      for (let i = 0; i < 400 && done < 20; i++) {
        done = (await client.batches.retrieve(batch.id)).request_counts?.completed ?? 0;
        await sleep(25);
      }
      assert.ok(done >= 20 && done < 90, `killed mid-batch (${done} of 90 done)`);
      first.kill('SIGKILL');
      await new Promise((r) => first?.once('exit', r));

      const b = await serve(cfg);
      second = b.child;
      const client2 = new OpenAI({ apiKey: KEY, baseURL: `${b.url}/v1`, maxRetries: 0 });
      let final = await client2.batches.retrieve(batch.id);
      for (let i = 0; i < 800 && final.status !== 'completed'; i++) {
        await sleep(50);
        final = await client2.batches.retrieve(batch.id);
      }
      assert.equal(final.status, 'completed');
      assert.deepEqual(final.request_counts, { total: 90, completed: 90, failed: 0 });
      const text = await (await client2.files.content(final.output_file_id ?? '')).text();
      const got = text
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { custom_id: string }).custom_id);
      assert.equal(got.length, 90);
      assert.deepEqual([...got].sort(), [...ids].sort(), 'each custom_id exactly once');
    } finally {
      first?.kill('SIGKILL');
      second?.kill('SIGKILL');
      await sim.close();
    }
  });
});
