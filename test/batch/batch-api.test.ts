import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { chatAs, CLIENT_KEY, type Harness, startHarness } from '../helpers/harness.ts';

function jsonl(lines: unknown[]): Buffer {
  return Buffer.from(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
}

const chatLine = (id: string, words = 3) => ({
  custom_id: id,
  method: 'POST',
  url: '/v1/chat/completions',
  body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `line ${id}` }], max_completion_tokens: words },
});

async function waitFor(client: OpenAI, id: string, done = ['completed', 'failed', 'cancelled', 'expired']): Promise<OpenAI.Batches.Batch> {
  for (let i = 0; i < 600; i++) {
    const b = await client.batches.retrieve(id);
    if (done.includes(b.status)) return b;
    await sleep(50);
  }
  throw new Error(`batch ${id} did not finish`);
}

async function outputLines(client: OpenAI, fileId: string | null | undefined): Promise<Array<Record<string, unknown>>> {
  if (!fileId) return [];
  const text = await (await client.files.content(fileId)).text();
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('the Batch API through the official client', () => {
  test('upload → batch → poll → download: every line answered once, in OpenAI’s line format', async () => {
    const h = await startHarness();
    try {
      const lines = Array.from({ length: 25 }, (_, i) => chatLine(`req-${i}`, (i % 5) + 1));
      const file = await h.client.files.create({ file: await toFile(jsonl(lines), 'in.jsonl'), purpose: 'batch' });
      assert.equal(file.purpose, 'batch');
      const batch = await h.client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { job: 'nightly' } });
      assert.ok(['validating', 'in_progress'].includes(batch.status));
      const done = await waitFor(h.client, batch.id);
      assert.equal(done.status, 'completed');
      assert.deepEqual(done.request_counts, { total: 25, completed: 25, failed: 0 });
      assert.equal(done.error_file_id, null);
      const out = await outputLines(h.client, done.output_file_id);
      assert.deepEqual(out.map((l) => l.custom_id).sort(), lines.map((l) => l.custom_id).sort());
      for (const l of out) {
        const i = Number(String(l.custom_id).split('-')[1]);
        const res = l.response as { status_code: number; body: { usage: { completion_tokens: number } } };
        assert.equal(res.status_code, 200);
        assert.equal(res.body.usage.completion_tokens, (i % 5) + 1, 'each answer belongs to its own line');
        assert.equal(l.error, null);
        assert.match(String(l.id), /^batch_req_/);
      }
      const listed = await h.client.batches.list();
      assert.ok(listed.data.some((b) => b.id === batch.id));
      assert.deepEqual(done.metadata, { job: 'nightly' });
    } finally {
      await h.close();
    }
  });

  test('image lines, and lines the upstream refuses go to the error file', async () => {
    const h = await startHarness();
    try {
      const lines = [
        { custom_id: 'img-1', method: 'POST', url: '/v1/images/generations', body: { model: 'gpt-image-1', prompt: 'a shoe', quality: 'low' } },
        { custom_id: 'img-2', method: 'POST', url: '/v1/images/generations', body: { model: 'dall-e-3', prompt: 'two', n: 2 } },
      ];
      const file = await h.client.files.create({ file: await toFile(jsonl(lines), 'img.jsonl'), purpose: 'batch' });
      const batch = await h.client.batches.create({ input_file_id: file.id, endpoint: '/v1/images/generations', completion_window: '24h' });
      const done = await waitFor(h.client, batch.id);
      assert.deepEqual(done.request_counts, { total: 2, completed: 1, failed: 1 });
      const ok = await outputLines(h.client, done.output_file_id);
      assert.equal(ok[0].custom_id, 'img-1');
      assert.ok(((ok[0].response as { body: { data: Array<{ b64_json: string }> } }).body.data[0].b64_json ?? '').length > 0);
      const bad = await outputLines(h.client, done.error_file_id);
      assert.equal(bad[0].custom_id, 'img-2');
      assert.equal((bad[0].response as { status_code: number }).status_code, 400);
    } finally {
      await h.close();
    }
  });

  test('malformed input files fail the batch with per-line errors, as OpenAI reports them', async () => {
    const h = await startHarness();
    try {
      const lines = [chatLine('a'), '{"custom_id": "b", oops', chatLine('a'), { ...chatLine('c'), url: '/v1/embeddings' }, { custom_id: 'd', method: 'POST', url: '/v1/chat/completions' }];
      const file = await h.client.files.create({ file: await toFile(jsonl(lines), 'bad.jsonl'), purpose: 'batch' });
      const batch = await h.client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      assert.equal(batch.status, 'failed');
      const errors = batch.errors?.data ?? [];
      assert.deepEqual(
        errors.map((e) => [e.code, e.line]),
        [
          ['invalid_json_line', 2],
          ['duplicate_custom_id', 3],
          ['url_mismatch', 4],
          ['missing_required_parameter', 5],
        ],
      );
      const empty = await h.client.files.create({ file: await toFile(Buffer.from('\n\n'), 'empty.jsonl'), purpose: 'batch' });
      const b2 = await h.client.batches.create({ input_file_id: empty.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      assert.equal(b2.errors?.data?.[0]?.code, 'empty_file');
      assert.equal(h.sim.stats().totals.accepted, 0);
    } finally {
      await h.close();
    }
  });

  test('cancel stops new work promptly and keeps what finished', async () => {
    const h = await startHarness({
      timeScale: 0.01,
      simAccounts: [{ name: 'slow', key: 'sk-slow-key-001', limits: { 'gpt-4o-mini': { rpm: 10 } } }],
      accounts: [{ name: 'slow', apiKey: 'sk-slow-key-001', limits: { 'gpt-4o-mini': { rpm: 10 } } }],
    });
    try {
      const lines = Array.from({ length: 100 }, (_, i) => chatLine(`c-${i}`));
      const file = await h.client.files.create({ file: await toFile(jsonl(lines), 'c.jsonl'), purpose: 'batch' });
      const batch = await h.client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      for (let i = 0; i < 200 && (await h.client.batches.retrieve(batch.id)).request_counts?.completed === 0; i++) await sleep(20);
      const cancelling = await h.client.batches.cancel(batch.id);
      assert.ok(['cancelling', 'cancelled'].includes(cancelling.status));
      const done = await waitFor(h.client, batch.id);
      assert.equal(done.status, 'cancelled');
      const finished = done.request_counts?.completed ?? 0;
      assert.ok(finished > 0 && finished < 100, `some lines finished before the cancel (${finished})`);
      const acceptedAtCancel = h.sim.stats().totals.accepted;
      await sleep(700); // more than one rate window: nothing new is sent
      assert.equal(h.sim.stats().totals.accepted, acceptedAtCancel);
      const out = await outputLines(h.client, done.output_file_id);
      assert.equal(out.length, finished);
    } finally {
      await h.close();
    }
  });

  test('interactive requests are never queued behind batch lines', async () => {
    const h = await startHarness({
      timeScale: 0.01,
      simAccounts: [{ name: 'a', key: 'sk-a-key-00001', limits: { 'gpt-4o-mini': { rpm: 20 } } }],
      accounts: [{ name: 'a', apiKey: 'sk-a-key-00001', limits: { 'gpt-4o-mini': { rpm: 20 } } }],
    });
    try {
      const lines = Array.from({ length: 120 }, (_, i) => chatLine(`b-${i}`));
      const file = await h.client.files.create({ file: await toFile(jsonl(lines), 'b.jsonl'), purpose: 'batch' });
      const batch = await h.client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      await sleep(200); // the backlog is queued at low priority
      const pendingBefore = 120 - ((await h.client.batches.retrieve(batch.id)).request_counts?.completed ?? 0);
      const interactive = await Promise.all(Array.from({ length: 5 }, () => chatAs(h, CLIENT_KEY)));
      const after = await h.client.batches.retrieve(batch.id);
      assert.deepEqual(new Set(interactive.map((r) => r.status)), new Set([200]));
      assert.ok(pendingBefore > 60, 'a big batch backlog existed');
      assert.ok((after.request_counts?.completed ?? 0) < 120 - 40, 'the interactive requests finished while most of the batch was still waiting');
      assert.equal(h.sim.stats().totals.violations, 0);
      await h.client.batches.cancel(batch.id);
    } finally {
      await h.close();
    }
  });

  test('lines hitting upstream errors are retried with backoff and complete', async () => {
    const h = await startHarness({
      simAccounts: [{ name: 'flaky', key: 'sk-flaky-key-01', faults: { error500Rate: 0.5 } }],
      accounts: [{ name: 'flaky', apiKey: 'sk-flaky-key-01', models: ['gpt-4o-mini'] }],
      scheduler: { maxAttempts: 1, circuit: { failureThreshold: 1000 } },
      batch: { maxAttempts: 10 },
    });
    try {
      const lines = Array.from({ length: 20 }, (_, i) => chatLine(`f-${i}`));
      const file = await h.client.files.create({ file: await toFile(jsonl(lines), 'f.jsonl'), purpose: 'batch' });
      const batch = await h.client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      const done = await waitFor(h.client, batch.id);
      assert.deepEqual(done.request_counts, { total: 20, completed: 20, failed: 0 });
      assert.ok(h.sim.stats().accounts.flaky.faults > 0, 'some attempts failed and were retried');
    } finally {
      await h.close();
    }
  });
});

export type { Harness };
