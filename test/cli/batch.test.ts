// `sluice batch` end to end: the CLI runs as a child process (as a user would run it) against
// the upstream simulator started in this process as the OpenAI-compatible endpoint.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';

const BIN = fileURLToPath(new URL('../../bin/sluice.mjs', import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
}

/** Runs `sluice batch ...`; `during` may act on the child (e.g. interrupt it) while it runs. */
function batch(args: string[], during?: (child: ReturnType<typeof spawn>) => Promise<void>): Promise<Run> {
  const env = { ...process.env };
  delete env.OPENAI_API_KEY;
  delete env.OPENAI_BASE_URL;
  const child = spawn(process.execPath, [BIN, 'batch', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  if (during) void during(child);
  return done;
}

// biome-ignore lint/suspicious/noExplicitAny: output lines are arbitrary JSON the tests inspect
type Json = any;
function readOutput(path: string): Json[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

function countById(lines: Json[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l.custom_id, (m.get(l.custom_id) ?? 0) + 1);
  return m;
}

const chatLine = (id: string, content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra } });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForLines(path: string, n: number, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (existsSync(path) && readFileSync(path, 'utf8').split('\n').length - 1 >= n) return;
    await sleep(20);
  }
  throw new Error(`${path} never reached ${n} lines`);
}

describe('sluice batch', () => {
  let dir: string;
  let sim: Simulator;
  let base: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-batch-'));
    sim = await startSimulator({
      port: 0,
      timeScale: 0.01,
      latencyMs: { chat: 100, embeddings: 100, moderations: 100, images: 1000 },
      accounts: [
        { name: 'clean', key: 'sk-clean' },
        { name: 'faulty', key: 'sk-faulty', faults: { rate429Rate: 0.25, error500Rate: 0.05 } },
      ],
    });
    base = `${sim.url}/v1`;
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a JSONL chat batch: every custom_id once, with the simulator answers', async () => {
    const input = join(dir, 'chat.jsonl');
    const output = join(dir, 'chat-out.jsonl');
    const lines = Array.from({ length: 40 }, (_, i) => chatLine(`req-${i}`, `question number ${i}`, { max_completion_tokens: 3 + (i % 5) }));
    lines.push(JSON.stringify({ custom_id: 'emb', method: 'POST', url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: 'hello world' } }));
    lines.push(JSON.stringify({ custom_id: 'mod', method: 'POST', url: '/v1/moderations', body: { model: 'omni-moderation-latest', input: 'a forbidden word' } }));
    writeFileSync(input, `${lines.join('\n')}\n`);
    const before = sim.stats().accounts.clean.accepted;
    const r = await batch([input, '-o', output, '--base-url', base, '--key', 'sk-clean', '--concurrency', '8']);
    assert.equal(r.code, 0, r.stderr);
    const out = readOutput(output);
    assert.equal(out.length, 42);
    assert.deepEqual([...countById(out).values()].filter((n) => n !== 1), []);
    for (const l of out) {
      assert.match(l.id, /^batch_req_[0-9a-f]{32}$/);
      assert.equal(l.error, null);
      assert.equal(l.response.status_code, 200);
      assert.match(l.response.request_id, /^req_/);
    }
    const byId = new Map(out.map((l) => [l.custom_id, l]));
    for (let i = 0; i < 40; i++) {
      const body = byId.get(`req-${i}`).response.body;
      assert.equal(body.object, 'chat.completion');
      // The simulator answers exactly max_completion_tokens words.
      assert.equal(body.usage.completion_tokens, 3 + (i % 5));
      assert.equal(body.choices[0].message.content.split(' ').length, 3 + (i % 5));
    }
    assert.equal(byId.get('emb').response.body.object, 'list');
    assert.equal(byId.get('mod').response.body.results[0].flagged, true);
    assert.equal(sim.stats().accounts.clean.accepted - before, 42, 'one request per line');
    assert.match(r.stderr, /ok\s+42\b/);
    assert.match(r.stderr, /cost\s+~\$\d+\.\d+\s+estimated from usage for 40 answers; 2 answers of other models not included/);
    assert.equal(r.stdout, '');
  });

  test('a prompt file with --images-dir: PNG files written, output lines reference them', async () => {
    const input = join(dir, 'prompts.txt');
    const output = join(dir, 'img-out.jsonl');
    const images = join(dir, 'images');
    writeFileSync(input, 'a red fox in the snow\n\na lighthouse at dusk\r\na teapot\n');
    const r = await batch([input, '-o', output, '--base-url', base, '--key', 'sk-clean', '--images-dir', images, '--quality', 'low']);
    assert.equal(r.code, 0, r.stderr);
    const out = readOutput(output);
    assert.deepEqual(out.map((l) => l.custom_id).sort(), ['line-1', 'line-3', 'line-4']);
    for (const l of out) {
      const body = l.response.body;
      assert.equal(body.quality, 'low');
      assert.equal(body.data.length, 1);
      assert.equal(body.data[0].b64_json, undefined, 'the base64 is replaced by the file');
      const file = body.data[0].file;
      assert.equal(file, join(images, `${l.custom_id}.png`));
      assert.deepEqual(readFileSync(file).subarray(0, 8), PNG_SIGNATURE);
      assert.equal(body.usage.output_tokens, 272, 'gpt-image-1 low 1024x1024');
    }
    assert.deepEqual(readdirSync(images).sort(), ['line-1.png', 'line-3.png', 'line-4.png']);
    assert.match(r.stderr, /images\s+3\b/);
    assert.match(r.stderr, /estimated from usage for 3 answers/);

    // n > 1: one file per image, numbered by data index; DALL·E url answers are downloaded.
    const multi = join(dir, 'multi-out.jsonl');
    const r2 = await batch([input, '-o', multi, '--base-url', base, '--key', 'sk-clean', '--images-dir', join(dir, 'multi'), '--model', 'dall-e-2', '--n', '2', '--size', '256x256']);
    assert.equal(r2.code, 0, r2.stderr);
    const files = readOutput(multi).flatMap((l) => l.response.body.data.map((d: Json) => d.file));
    assert.equal(files.length, 6);
    assert.ok(files.includes(join(dir, 'multi', 'line-3-1.png')));
    for (const f of files) assert.deepEqual(readFileSync(f).subarray(0, 8), PNG_SIGNATURE);
  });

  test('resumable: interrupted with SIGINT, then killed with SIGKILL, then finished', async () => {
    const slow = await startSimulator({ port: 0, timeScale: 0.01, latencyMs: { chat: 15_000 }, accounts: [{ name: 's', key: 'sk-s' }] });
    try {
      const input = join(dir, 'resume.jsonl');
      const output = join(dir, 'resume-out.jsonl');
      const ids = Array.from({ length: 36 }, (_, i) => `r${i}`);
      writeFileSync(input, `${ids.map((id) => chatLine(id, `hello ${id}`)).join('\n')}\n`);
      const args = [input, '-o', output, '--base-url', `${slow.url}/v1`, '--key', 'sk-s', '--concurrency', '3'];

      // 1. Ctrl-C mid-way: in-flight requests finish, exit 130, a resumable output.
      const first = await batch(args, async (child) => {
        await waitForLines(output, 6);
        child.kill('SIGINT');
      });
      assert.equal(first.code, 130, first.stderr);
      assert.match(first.stderr, /stopping: waiting up to/);
      assert.match(first.stderr, /interrupted after/);
      const afterFirst = readOutput(output);
      assert.ok(afterFirst.length >= 6 && afterFirst.length < 36, String(afterFirst.length));
      assert.equal(countById(afterFirst).size, afterFirst.length);
      assert.equal(slow.stats().totals.accepted, afterFirst.length, 'requests in flight were waited for, not lost');
      assert.match(first.stderr, new RegExp(`not run\\s+${36 - afterFirst.length}\\b`));

      // 2. SIGKILL mid-way (no chance to clean up), plus a torn last line as a crash mid-write leaves.
      const second = await batch(args, async (child) => {
        await waitForLines(output, afterFirst.length + 6);
        child.kill('SIGKILL');
      });
      assert.equal(second.signal, 'SIGKILL');
      assert.match(second.stderr, new RegExp(`${afterFirst.length} already done`));
      const afterSecond = readOutput(output);
      writeFileSync(output, `${readFileSync(output, 'utf8')}{"id":"batch_req_torn","custom_id":"r35","respo`);

      // 3. Finish: skips what is done, re-runs the rest, every custom_id exactly once.
      const third = await batch(args);
      assert.equal(third.code, 0, third.stderr);
      assert.match(third.stderr, /a partial last line removed/);
      assert.match(third.stderr, new RegExp(`skipped\\s+${afterSecond.length}\\s+already done`));
      assert.match(third.stderr, new RegExp(`ok\\s+${36 - afterSecond.length}\\b`));
      const final = readOutput(output);
      assert.deepEqual([...countById(final).keys()].sort(), [...ids].sort());
      assert.equal(final.length, 36);
      assert.ok(final.every((l) => l.response.status_code === 200));
      assert.ok(!existsSync(`${output}.lock`), 'the lock is released');
    } finally {
      await slow.close();
    }
  });

  test('retries 429 storms and 500s until every line is done', async () => {
    const input = join(dir, 'faulty.jsonl');
    const output = join(dir, 'faulty-out.jsonl');
    writeFileSync(input, `${Array.from({ length: 40 }, (_, i) => chatLine(`f${i}`, 'hi')).join('\n')}\n`);
    const faultsBefore = sim.stats().accounts.faulty.faults;
    const r = await batch([input, '-o', output, '--base-url', base, '--key', 'sk-faulty', '--concurrency', '10', '--max-retries', '10']);
    assert.equal(r.code, 0, r.stderr);
    const out = readOutput(output);
    assert.equal(out.length, 40);
    assert.equal(countById(out).size, 40);
    assert.ok(out.every((l) => l.response.status_code === 200));
    const faults = sim.stats().accounts.faulty.faults - faultsBefore;
    assert.ok(faults > 0, 'the simulator did inject faults');
    assert.match(r.stderr, new RegExp(`retries\\s+${faults}\\b`), 'one retry per injected fault');
  });

  test('failures are written as lines and re-run on the next run', async () => {
    const input = join(dir, 'fail.jsonl');
    const output = join(dir, 'fail-out.jsonl');
    writeFileSync(input, [chatLine('good', 'hi'), JSON.stringify({ custom_id: 'no-model', method: 'POST', url: '/v1/chat/completions', body: { messages: [] } })].join('\n'));
    const r = await batch([input, '-o', output, '--base-url', base, '--key', 'sk-clean']);
    assert.equal(r.code, 1, r.stderr);
    const out = readOutput(output);
    const failed = out.find((l) => l.custom_id === 'no-model');
    assert.equal(failed.response.status_code, 400);
    assert.equal(failed.response.body.error.type, 'invalid_request_error');
    assert.match(r.stderr, /line 2 \(no-model\) failed: HTTP 400/);
    const again = await batch([input, '-o', output, '--base-url', base, '--key', 'sk-clean']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /1 done; 1 failed lines removed to run again/);
    assert.deepEqual(
      readOutput(output).map((l) => l.custom_id),
      ['good', 'no-model'],
    );
    // A dead endpoint: connection errors, retried, then error lines.
    const dead = await batch([input, '-o', join(dir, 'dead.jsonl'), '--base-url', 'http://127.0.0.1:9/v1', '--key', 'k', '--max-retries', '1']);
    assert.equal(dead.code, 1);
    const deadOut = readOutput(join(dir, 'dead.jsonl'));
    assert.deepEqual(
      deadOut.map((l) => [l.response, l.error.code]),
      [
        [null, 'connection_error'],
        [null, 'connection_error'],
      ],
    );
    assert.match(dead.stderr, /retries\s+2\b/);
  });

  test('bad input lines are reported with their line numbers and written as error lines', async () => {
    const input = join(dir, 'bad.jsonl');
    const output = join(dir, 'bad-out.jsonl');
    writeFileSync(
      input,
      [
        chatLine('ok-1', 'hi'),
        '{"custom_id": "broken", ',
        JSON.stringify({ custom_id: 'get', method: 'GET', url: '/v1/chat/completions', body: {} }),
        '',
        JSON.stringify({ custom_id: 'files', method: 'POST', url: '/v1/files', body: {} }),
        chatLine('ok-1', 'again'),
        chatLine('ok-2', 'hi'),
      ].join('\n'),
    );
    const r = await batch([input, '-o', output, '--base-url', base, '--key', 'sk-clean']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /bad\.jsonl:2: not valid JSON/);
    assert.match(r.stderr, /bad\.jsonl:3: method must be "POST" \(got "GET"\)/);
    assert.match(r.stderr, /bad\.jsonl:5: url must be one of \/v1\/chat\/completions, \/v1\/embeddings, \/v1\/images\/generations, \/v1\/moderations \(got "\/v1\/files"\)/);
    assert.match(r.stderr, /bad\.jsonl:6: duplicate custom_id "ok-1" \(first on line 1\)/);
    assert.match(r.stderr, /failed\s+4\s+4× bad input line/);
    const out = readOutput(output);
    const errors = out.filter((l) => l.error);
    assert.deepEqual(
      errors.map((l) => [l.error.line, l.custom_id, l.error.code]),
      [
        [2, null, 'invalid_input_line'],
        [3, 'get', 'invalid_input_line'],
        [5, 'files', 'invalid_input_line'],
        [6, null, 'invalid_input_line'],
      ],
    );
    assert.deepEqual(out.filter((l) => !l.error).map((l) => l.custom_id).sort(), ['ok-1', 'ok-2']);
  });

  test('usage errors exit 2', async () => {
    const input = join(dir, 'usage.jsonl');
    writeFileSync(input, `${chatLine('a', 'hi')}\n`);
    const noOutput = await batch([input, '--base-url', base, '--key', 'k']);
    assert.equal(noOutput.code, 2);
    assert.match(noOutput.stderr, /missing -o, --output/);
    const noKey = await batch([input, '-o', join(dir, 'u.jsonl'), '--base-url', base]);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /no API key/);
    const badNumber = await batch([input, '-o', join(dir, 'u.jsonl'), '--key', 'k', '--concurrency', 'lots']);
    assert.equal(badNumber.code, 2);
    const missing = await batch([join(dir, 'nope.jsonl'), '-o', join(dir, 'u.jsonl'), '--key', 'k']);
    assert.equal(missing.code, 2);
    assert.ok(!existsSync(join(dir, 'u.jsonl')) || statSync(join(dir, 'u.jsonl')).size === 0);
  });
});
