// Units of `sluice batch` (src/cli/batch): input parsing, retry timing, resuming from an
// output file, file names, cost estimates and the summary text.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { estimateCost, reportedCost } from '../../src/cli/batch/cost.ts';
import { extOfDownload, fileStem } from '../../src/cli/batch/images.ts';
import { detectFormat, parseInput } from '../../src/cli/batch/input.ts';
import { lockOutput, OutputWriter, prepareOutput } from '../../src/cli/batch/output.ts';
import { endpointUrl } from '../../src/cli/batch/request.ts';
import { retryDelayMs, shouldRetryStatus } from '../../src/cli/batch/retry.ts';
import { BatchStats, formatDuration, formatSummary, progressFigures, progressLine } from '../../src/cli/batch/stats.ts';

const line = (o: Record<string, unknown>) => JSON.stringify(o);
const chatLine = (id: string, extra: Record<string, unknown> = {}) =>
  line({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, ...extra });

describe('input', () => {
  test('detects Batch-API JSONL, even with a broken line', () => {
    assert.equal(detectFormat([chatLine('a'), '', chatLine('b')]), 'jsonl');
    assert.equal(detectFormat(['not json at all', chatLine('b')]), 'jsonl');
    assert.equal(detectFormat(['{"broken": ', '{"x": 1}']), 'jsonl');
    assert.equal(detectFormat(['a cat on a mat', 'a {curly} dog']), 'prompts');
    assert.equal(detectFormat(['', '  ']), 'prompts');
  });

  test('bad JSONL lines keep their line numbers and reasons', () => {
    const text = [
      chatLine('a'),
      '',
      'not json',
      '[1, 2]',
      chatLine('b', { method: 'GET' }),
      chatLine('c', { url: '/v1/responses' }),
      line({ custom_id: 'd', method: 'POST', url: '/v1/embeddings', body: 'x' }),
      line({ method: 'POST', url: '/v1/embeddings', body: {} }),
      chatLine('a'),
      line({ custom_id: 'e', method: 'POST', url: '/v1/chat/completions', body: { model: 'm', stream: true } }),
      line({ custom_id: 'f', method: 'POST', url: '/v1/images/generations', body: { model: 'gpt-image-1', prompt: 'p' } }),
    ].join('\r\n');
    const input = parseInput(text, 'auto');
    assert.equal(input.format, 'jsonl');
    assert.equal(input.lines, 10);
    assert.deepEqual(
      input.items.map((i) => [i.line, i.customId, i.url]),
      [
        [1, 'a', '/v1/chat/completions'],
        [11, 'f', '/v1/images/generations'],
      ],
    );
    const bad = Object.fromEntries(input.bad.map((b) => [b.line, b]));
    assert.deepEqual(Object.keys(bad).map(Number), [3, 4, 5, 6, 7, 8, 9, 10]);
    assert.match(bad[3].message, /^not valid JSON/);
    assert.equal(bad[4].message, 'not a JSON object');
    assert.match(bad[5].message, /method must be "POST" \(got "GET"\)/);
    assert.equal(bad[5].customId, 'b');
    assert.match(bad[6].message, /url must be one of .*\(got "\/v1\/responses"\)/);
    assert.match(bad[7].message, /body must be a JSON object/);
    assert.match(bad[8].message, /custom_id must be a non-empty string/);
    assert.equal(bad[8].customId, null);
    assert.match(bad[9].message, /duplicate custom_id "a" \(first on line 1\)/);
    assert.equal(bad[9].customId, null, 'a duplicate is never written under the id of another line');
    assert.match(bad[10].message, /stream is not supported/);
  });

  test('prompt files: one image request per non-empty line, with overrides', () => {
    const input = parseInput('\uFEFFa red fox\n\n  a blue whale  \n', 'auto');
    assert.equal(input.format, 'prompts');
    assert.deepEqual(
      input.items.map((i) => [i.customId, i.url, i.body]),
      [
        ['line-1', '/v1/images/generations', { model: 'gpt-image-1', prompt: 'a red fox', size: '1024x1024', quality: 'medium', n: 1 }],
        ['line-3', '/v1/images/generations', { model: 'gpt-image-1', prompt: 'a blue whale', size: '1024x1024', quality: 'medium', n: 1 }],
      ],
    );
    const forced = parseInput(`${chatLine('a')}\n`, 'prompts', { model: 'dall-e-3', size: '1792x1024', quality: 'hd', n: 1 });
    assert.equal(forced.items[0].body.model, 'dall-e-3');
    assert.equal(forced.items[0].body.prompt, chatLine('a'));
  });
});

describe('retries', () => {
  const h = (o: Record<string, string>) => new Headers(o);
  test('which answers are retried', () => {
    for (const s of [408, 409, 429, 500, 502, 503]) assert.equal(shouldRetryStatus(s, h({})), true, String(s));
    for (const s of [200, 400, 401, 403, 404, 422]) assert.equal(shouldRetryStatus(s, h({})), false, String(s));
    assert.equal(shouldRetryStatus(400, h({ 'x-should-retry': 'true' })), true);
    assert.equal(shouldRetryStatus(429, h({ 'x-should-retry': 'false' })), false);
  });

  test('server delays honoured up to 60 s, else 0.5·2^n s capped at 8 s minus up to 25 %', () => {
    assert.equal(retryDelayMs(h({ 'retry-after-ms': '250', 'retry-after': '9' }), 0), 250);
    assert.equal(retryDelayMs(h({ 'retry-after': '2' }), 0), 2000);
    const date = new Date(Date.now() + 30_000).toUTCString();
    const fromDate = retryDelayMs(h({ 'retry-after': date }), 0);
    assert.ok(fromDate > 28_000 && fromDate <= 30_000, String(fromDate));
    assert.equal(retryDelayMs(h({ 'retry-after': '61' }), 0, () => 0), 500, 'over 60 s: backoff');
    assert.equal(retryDelayMs(undefined, 0, () => 0), 500);
    assert.equal(retryDelayMs(undefined, 2, () => 0), 2000);
    assert.equal(retryDelayMs(undefined, 10, () => 0), 8000);
    assert.equal(retryDelayMs(undefined, 10, () => 1), 6000);
  });

  test('base URL joined as the SDK does', () => {
    assert.equal(endpointUrl('http://h:8080/v1', '/v1/chat/completions'), 'http://h:8080/v1/chat/completions');
    assert.equal(endpointUrl('http://h:8080/v1/', '/v1/images/generations'), 'http://h:8080/v1/images/generations');
    assert.equal(endpointUrl('https://r.openai.azure.com/openai/v1', '/v1/embeddings'), 'https://r.openai.azure.com/openai/v1/embeddings');
  });
});

describe('output file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-batch-units-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const ok = (id: string) => line({ id: `batch_req_${id}`, custom_id: id, response: { status_code: 200, request_id: null, body: {} }, error: null });
  const http = (id: string, status: number) => line({ id: `batch_req_${id}`, custom_id: id, response: { status_code: status, request_id: null, body: {} }, error: null });
  const err = (id: string | null) => line({ id: 'batch_req_x', custom_id: id, response: null, error: { code: 'timeout', message: 'm' } });

  test('a missing file resumes from nothing', async () => {
    const state = await prepareOutput(join(dir, 'none.jsonl'));
    assert.equal(state.done.size, 0);
  });

  test('keeps 2xx lines, drops failures, repeats, junk and a partial last line', async () => {
    const path = join(dir, 'out.jsonl');
    const content = [ok('a'), http('b', 429), err('c'), err(null), ok('a'), 'garbage', '', ok('d'), '{"id":"batch_req_e","custom_id":"e","resp'].join('\n');
    writeFileSync(path, content);
    const state = await prepareOutput(path);
    assert.deepEqual([...state.done].sort(), ['a', 'd']);
    assert.equal(state.droppedFailed, 3);
    assert.equal(state.droppedDuplicate, 1);
    assert.equal(state.droppedCorrupt, 1);
    assert.equal(state.droppedPartial, true);
    assert.equal(readFileSync(path, 'utf8'), `${ok('a')}\n${ok('d')}\n`);
    // Nothing left to drop: the file is left alone.
    const again = await prepareOutput(path);
    assert.deepEqual([...again.done].sort(), ['a', 'd']);
    assert.equal(again.droppedPartial, false);
    assert.equal(readFileSync(path, 'utf8'), `${ok('a')}\n${ok('d')}\n`);
  });

  test('only a partial last line: the file is truncated after its last newline', async () => {
    const path = join(dir, 'partial.jsonl');
    writeFileSync(path, `${ok('a')}\n${ok('b').slice(0, 30)}`);
    const state = await prepareOutput(path);
    assert.deepEqual([...state.done], ['a']);
    assert.equal(readFileSync(path, 'utf8'), `${ok('a')}\n`);
    writeFileSync(path, ok('b').slice(0, 30));
    assert.equal((await prepareOutput(path)).done.size, 0);
    assert.equal(readFileSync(path, 'utf8'), '');
  });

  test('the writer appends whole lines and refuses a custom_id twice', () => {
    const path = join(dir, 'w.jsonl');
    const w = new OutputWriter(path, new Set(['done']));
    w.write({ id: 'batch_req_1', custom_id: 'x', response: null, error: { code: 'c', message: 'm' } });
    w.write({ id: 'batch_req_2', custom_id: null, response: null, error: { code: 'c', message: 'm' } });
    w.write({ id: 'batch_req_3', custom_id: null, response: null, error: { code: 'c', message: 'm' } });
    assert.throws(() => w.write({ id: 'batch_req_4', custom_id: 'x', response: null, error: null }), /twice/);
    assert.throws(() => w.write({ id: 'batch_req_5', custom_id: 'done', response: null, error: null }), /twice/);
    w.close();
    assert.equal(readFileSync(path, 'utf8').split('\n').length, 4);
  });

  test('a lock file keeps a second run out, a stale one is taken over', () => {
    const path = join(dir, 'locked.jsonl');
    const unlock = lockOutput(path);
    writeFileSync(`${path}.lock`, String(process.ppid)); // a live process that is not us
    assert.throws(() => lockOutput(path), /another sluice batch/);
    writeFileSync(`${path}.lock`, '999999999'); // no such process
    const unlock2 = lockOutput(path);
    unlock2();
    unlock();
  });
});

describe('images, cost, summary', () => {
  test('file names from custom_ids', () => {
    assert.equal(fileStem('line-12'), 'line-12');
    assert.equal(fileStem('req.7_a'), 'req.7_a');
    const odd = fileStem('../etc/passwd');
    assert.match(odd, /^etc_passwd-[0-9a-f]{8}$/);
    assert.notEqual(fileStem('a/b'), fileStem('a_b'));
    assert.match(fileStem('a/b'), /^a_b-[0-9a-f]{8}$/);
    assert.match(fileStem('///'), /^[0-9a-f]{8}$/);
    assert.equal(extOfDownload('image/jpeg; q=1', 'http://x/y.png'), 'jpeg');
    assert.equal(extOfDownload(null, 'http://x/y.webp?sig=1'), 'webp');
    assert.equal(extOfDownload('application/octet-stream', 'http://x/y'), 'png');
  });

  test('cost: reported by the server, or estimated from usage for the built-in models', () => {
    const none = new Headers();
    assert.equal(reportedCost({ usage: { cost: 0.25 } }, none), 0.25);
    assert.equal(reportedCost({}, new Headers({ 'x-litellm-response-cost': '0.5' })), 0.5);
    assert.equal(reportedCost({ usage: { total_tokens: 3 } }, none), undefined);
    const image = { usage: { input_tokens: 50, output_tokens: 1056, input_tokens_details: { text_tokens: 10, image_tokens: 40 } } };
    const expected = (10 * 5 + 40 * 10 + 1056 * 40) / 1e6;
    assert.ok(Math.abs((estimateCost(image, { model: 'gpt-image-1' }) ?? 0) - expected) < 1e-12);
    const chat = { model: 'gpt-4o-mini-2024-07-18', usage: { prompt_tokens: 1000, completion_tokens: 2000 } };
    assert.ok(Math.abs((estimateCost(chat, { model: 'gpt-4o-mini' }) ?? 0) - (1000 * 0.15 + 2000 * 0.6) / 1e6) < 1e-12);
    assert.equal(estimateCost(image, { model: 'gpt-image-1-mini' }), undefined);
    assert.equal(estimateCost({ model: 'gpt-4o', usage: { prompt_tokens: 1 } }, {}), undefined);
    assert.equal(estimateCost({ data: [] }, { model: 'gpt-image-1' }), undefined, 'no usage, no estimate');
  });

  test('progress line and summary', () => {
    const t0 = 1_000_000;
    const stats = new BatchStats(t0);
    stats.total = 100;
    stats.skipped = 10;
    stats.bad = 1;
    for (let i = 0; i < 29; i++) stats.ok++;
    stats.fail('HTTP 400 invalid_request_error');
    stats.fail('timeout');
    stats.images = 29;
    stats.imageFiles = 29;
    stats.estimatedUsd = 1.234;
    stats.estimatedAnswers = 29;
    const figures = progressFigures(stats, t0 + 60_000);
    assert.deepEqual(figures, { done: 42, total: 100, ok: 29, failed: 3, reqPerMin: '31.0', imgPerMin: '29.0', eta: '1m52s' });
    assert.equal(progressLine(figures), 'sluice batch: 42/100 done, 29 ok, 3 failed, 31.0 req/min, 29.0 images/min, ETA 1m52s');
    const text = formatSummary(stats, { output: 'out.jsonl', imagesDir: 'imgs', notRun: 58, interrupted: true, now: t0 + 60_000 });
    assert.match(text, /^sluice batch: interrupted after 1m00s/);
    assert.match(text, /skipped\s+10\s+already done/);
    assert.match(text, /failed\s+3\s+1× HTTP 400 invalid_request_error, 1× timeout, 1× bad input line/);
    assert.match(text, /not run\s+58/);
    assert.match(text, /images\s+29\s+29\.0 images\/min/);
    assert.match(text, /cost\s+~\$1\.2340\s+estimated from usage for 29 answers/);
    assert.equal(formatDuration(950), '950ms');
    assert.equal(formatDuration(12_345), '12.3s');
    assert.equal(formatDuration(3_723_000), '1h02m');
  });
});
