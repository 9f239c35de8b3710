// The operator CLI (`sluice keys|accounts|usage`) against a fake admin API: a node:http server
// that records every request and answers per the admin API contract. The CLI runs as a child
// process, exactly as an operator would run it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/sluice.mjs', import.meta.url));
const TOKEN = 'admin-token-123';
const UPSTREAM_KEY = 'sk-upstream-VERY-SECRET-0123456789';
const SECRET = 'sk-sluice-THE-NEW-SECRET-abcdefghijklmnop';

interface Recorded {
  /** Which `sluice` run sent it (runs use the base URL `.../r<N>` so they can run concurrently). */
  run: number | undefined;
  method: string;
  path: string;
  query: Record<string, string>;
  auth: string | undefined;
  contentType: string | undefined;
  raw: string;
  body: unknown;
}

const KEYS = [
  {
    id: 'key_aaaaaaaaaaaaaaaaaaaaaaaa',
    name: 'shop',
    keyPrefix: 'sk-sluice-AbCd',
    priority: 'high',
    models: ['gpt-image-1', 'gpt-4o-mini'],
    weight: 1,
    rpm: 60,
    tpm: null,
    ipm: 10,
    dailyUsd: 50,
    monthlyUsd: 1000,
    expiresAt: '2026-12-31T00:00:00Z',
    enabled: true,
    source: 'api',
    createdAt: '2025-01-01T00:00:00.000Z',
    spend: { dayUsd: 1.23456789, monthUsd: 20 },
  },
  {
    id: 'key_bbbbbbbbbbbbbbbbbbbbbbbb',
    name: 'batch',
    keyPrefix: 'sk-sluice-XyZw',
    priority: 'low',
    models: ['*'],
    weight: 2,
    rpm: null,
    tpm: null,
    ipm: null,
    dailyUsd: null,
    monthlyUsd: null,
    expiresAt: null,
    enabled: false,
    source: 'config',
    createdAt: '2025-01-02T00:00:00.000Z',
    spend: { dayUsd: 0, monthUsd: 0 },
  },
];

const ACCOUNTS = [
  {
    name: 'oa-1',
    provider: 'openai',
    group: 'default',
    weight: 1,
    enabled: true,
    disabledReason: null,
    inFlight: 2,
    maxConcurrent: 8,
    circuit: { state: 'closed', failures: 0, openUntil: null },
    models: { 'gpt-4o-mini': {}, 'gpt-image-1': {} },
    source: 'config',
  },
  {
    name: 'az-east',
    provider: 'azure',
    group: 'canary',
    weight: 2,
    enabled: false,
    disabledReason: 'invalid API key (401)',
    inFlight: 0,
    maxConcurrent: null,
    circuit: { state: 'open', failures: 5, openUntil: '2025-06-01T12:00:30.000Z' },
    models: { 'gpt-4o': {} },
    source: 'api',
  },
];

const USAGE = [
  { model: 'gpt-image-1', requests: 1200, errors: 3, inputTextTokens: 45000, outputTextTokens: 0, inputImageTokens: 0, outputImageTokens: 5000000, images: 1200, costUsd: 201.5 },
  { model: 'gpt-4o-mini', requests: 7, errors: 0, inputTextTokens: 1000, outputTextTokens: 250, inputImageTokens: 0, outputImageTokens: 0, images: 0, costUsd: 0.000123456 },
];
const USAGE_CSV = 'model,requests,errors,costUsd\ngpt-image-1,1200,3,201.5\n"gpt,4o",7,0,0.000123456\n';
const ROWS = [
  {
    time: '2025-06-01T10:00:00.000Z',
    requestId: 'req_1',
    client: 'shop',
    account: 'oa-1',
    model: 'gpt-image-1',
    endpoint: '/v1/images/generations',
    status: 200,
    attempts: 1,
    inputTextTokens: 20,
    outputTextTokens: 0,
    inputImageTokens: 0,
    outputImageTokens: 4160,
    images: 1,
    costUsd: 0.167,
    queueMs: 1500,
    upstreamMs: 42000,
    cacheHit: false,
  },
];
const ROWS_CSV = 'time,requestId,client\n2025-06-01T10:00:00.000Z,req_1,shop\n';

function errorBody(message: string, code: string) {
  return { error: { message, type: 'invalid_request_error', param: null, code } };
}

/** The fake gateway's answer to one admin request: [status, JSON body] or [status, text, content type]. */
function answer(r: Recorded): [number, unknown, string?] {
  if (r.auth !== `Bearer ${TOKEN}`) return [401, errorBody('Incorrect admin token.', 'invalid_api_key')];
  const body = (r.body ?? {}) as Record<string, unknown>;
  const m = (re: RegExp) => re.exec(r.path);
  let x: RegExpExecArray | null;
  if (r.method === 'GET' && r.path === '/admin/keys') return [200, { object: 'list', data: KEYS }];
  if (r.method === 'POST' && r.path === '/admin/keys') {
    if (body.name === 'dup') return [409, errorBody('A key named dup already exists.', 'conflict')];
    return [201, { ...KEYS[0], id: 'key_newnewnewnewnewnewnewnew', name: body.name, ...body, key: SECRET }];
  }
  if ((x = m(/^\/admin\/keys\/([^/]+)$/))) {
    const key = KEYS.find((k) => k.id === decodeURIComponent(x![1]));
    if (!key) return [404, errorBody(`No key with id ${x[1]}.`, 'not_found')];
    if (r.method === 'PATCH') return [200, { ...key, ...body }];
    if (r.method === 'DELETE') return [200, { id: key.id, deleted: true }];
  }
  if (r.method === 'GET' && r.path === '/admin/accounts') return [200, { object: 'list', data: ACCOUNTS }];
  if (r.method === 'POST' && r.path === '/admin/accounts') {
    if (body.name === 'echo') return [400, errorBody(`apiKey: ${String(body.apiKey)} looks wrong`, 'invalid_value')];
    if (body.name === 'html') return [502, '<html><body>Bad Gateway</body></html>', 'text/html'];
    const { apiKey: _k, ...rest } = body;
    return [201, { ...ACCOUNTS[0], ...rest, group: rest.group ?? 'default', inFlight: 0, models: {} }];
  }
  if (r.method === 'POST' && (x = m(/^\/admin\/accounts\/([^/]+)\/(enable|disable)$/))) {
    const acc = ACCOUNTS.find((a) => a.name === x![1]);
    if (!acc) return [404, errorBody(`No account named ${x[1]}.`, 'not_found')];
    return [200, { ...acc, enabled: x[2] === 'enable' }];
  }
  if (r.method === 'DELETE' && (x = m(/^\/admin\/accounts\/([^/]+)$/))) {
    if (x[1] === 'oa-1') return [409, errorBody('oa-1 comes from the config file: remove it there, or disable it.', 'conflict')];
    return [200, { name: x[1], deleted: true }];
  }
  if (r.method === 'GET' && r.path === '/admin/usage') {
    if (r.query.format === 'csv') return [200, USAGE_CSV, 'text/csv; charset=utf-8'];
    return [200, { object: 'list', data: r.query.client === 'nobody' ? [] : USAGE }];
  }
  if (r.method === 'GET' && r.path === '/admin/usage/rows') {
    if (r.query.format === 'csv') return [200, ROWS_CSV, 'text/csv; charset=utf-8'];
    return [200, { object: 'list', data: ROWS }];
  }
  return [404, errorBody(`Invalid URL (${r.method} ${r.path})`, 'unknown_url')];
}

let server: Server;
let url: string;
let cwd: string;
const log: Recorded[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const u = new URL(req.url ?? '/', 'http://x');
    const tagged = /^\/r(\d+)(\/.*)$/.exec(u.pathname);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const r: Recorded = {
      run: tagged ? Number(tagged[1]) : undefined,
      method: req.method ?? '',
      path: tagged ? tagged[2] : u.pathname,
      query: Object.fromEntries(u.searchParams),
      auth: req.headers.authorization,
      contentType: req.headers['content-type'],
      raw,
      body,
    };
    log.push(r);
    const [status, out, type] = answer(r);
    res.writeHead(status, { 'content-type': type ?? 'application/json; charset=utf-8' });
    res.end(typeof out === 'string' ? out : JSON.stringify(out));
  });
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  requests: Recorded[];
}

let runs = 0;

/**
 * Runs `sluice ...args` and collects its output and the requests it made. Unless `bare`, it gets
 * --url (with a path prefix naming this run) and --admin-token; `bare` runs must not overlap.
 */
function sluice(args: string[], opts: { env?: Record<string, string>; bare?: boolean; cwd?: string } = {}): Promise<Run> {
  const start = log.length;
  const id = ++runs;
  // Node's compile cache roughly halves each run's start-up (type stripping included): keeps the suite fast.
  const env: NodeJS.ProcessEnv = { NODE_COMPILE_CACHE: join(tmpdir(), 'sluice-cli-test-compile-cache'), ...process.env, ...opts.env };
  if (!opts.env?.SLUICE_ADMIN_TOKEN) delete env.SLUICE_ADMIN_TOKEN;
  if (!opts.env?.SLUICE_CONFIG) delete env.SLUICE_CONFIG;
  const argv = opts.bare ? args : [...args, '--url', `${url}/r${id}`, '--admin-token', TOKEN];
  const mine = (r: Recorded) => (opts.bare ? r.run === undefined : r.run === id);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd: opts.cwd ?? cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, requests: log.slice(start).filter(mine) }));
  });
}

/** Asserts a successful run and returns it. */
async function ok(args: string[], opts?: Parameters<typeof sluice>[1]): Promise<Run> {
  const run = await sluice(args, opts);
  assert.equal(run.code, 0, `sluice ${args.join(' ')} failed:\n${run.stderr}`);
  return run;
}

/** Lines of a table whose text includes `needle`. */
function lineWith(text: string, needle: string): string {
  const line = text.split('\n').find((l) => l.includes(needle));
  assert.ok(line, `no line with ${needle} in:\n${text}`);
  return line;
}

before(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(cwd, { recursive: true, force: true });
});

describe('sluice keys', { concurrency: true }, () => {
  test('create sends only the given fields and prints the secret once, with the id', async () => {
    const run = await ok(['keys', 'create', '--name', 'shop', '--models', 'a,b', '--daily-usd', '50']);
    assert.equal(run.requests.length, 1);
    const [r] = run.requests;
    assert.equal(r.method, 'POST');
    assert.equal(r.path, '/admin/keys');
    assert.equal(r.auth, `Bearer ${TOKEN}`);
    assert.match(r.contentType ?? '', /application\/json/);
    assert.deepEqual(r.body, { name: 'shop', models: ['a', 'b'], dailyUsd: 50 });
    assert.equal(run.stdout.split(SECRET).length - 1, 1, 'the secret is printed exactly once');
    assert.match(run.stdout, /key_newnewnewnewnewnewnewnew/);
    assert.match(run.stdout, /store it now; it cannot be shown again/);
  });

  test('create maps every flag to the API field', async () => {
    const run = await ok([
      'keys', 'create', '--name', 'full', '--priority', 'low', '--models', 'gpt-image-1, gpt-4o-mini', '--weight', '2.5',
      '--rpm', '60', '--tpm', '100000', '--ipm', '5', '--daily-usd', '0', '--monthly-usd', '1000', '--expires', '2026-12-31', '--disabled',
    ]);
    assert.deepEqual(run.requests[0].body, {
      name: 'full',
      priority: 'low',
      models: ['gpt-image-1', 'gpt-4o-mini'],
      weight: 2.5,
      rpm: 60,
      tpm: 100000,
      ipm: 5,
      dailyUsd: 0,
      monthlyUsd: 1000,
      expiresAt: '2026-12-31T00:00:00Z',
      enabled: false,
    });
  });

  test('--groups and --policy become the policy fields of the body; a bad --policy is refused before calling', async () => {
    const run = await ok(['keys', 'create', '--name', 'tenant', '--groups', 'cheap, relay', '--policy', '{"guardrails":{"words":["knockoff"]},"images":{"maxQuality":"medium"}}']);
    assert.deepEqual(run.requests[0].body, { name: 'tenant', groups: ['cheap', 'relay'], guardrails: { words: ['knockoff'] }, images: { maxQuality: 'medium' } });
    const bad = await sluice(['keys', 'create', '--name', 'x', '--policy', '[1]']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--policy.*must be a JSON object/);
    assert.equal(bad.requests.length, 0);
  });

  test('create rejects a bad flag value before calling the gateway (more cases in parsers.test.ts)', async () => {
    const run = await sluice(['keys', 'create', '--name', 'x', '--rpm', '1.5']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /--rpm.*must be a positive integer/);
    assert.equal(run.requests.length, 0);
  });

  test('create --json prints the API answer (secret included) as JSON', async () => {
    const run = await ok(['keys', 'create', '--name', 'ci', '--json']);
    const out = JSON.parse(run.stdout);
    assert.equal(out.key, SECRET);
    assert.equal(out.name, 'ci');
  });

  test('an error body exits 1 with the gateway message and code', async () => {
    const run = await sluice(['keys', 'create', '--name', 'dup']);
    assert.equal(run.code, 1);
    assert.equal(run.stderr.trim(), 'sluice: A key named dup already exists. (conflict)');
    assert.equal(run.stdout, '');
  });

  test('a wrong admin token is reported', async () => {
    const run = await sluice(['keys', 'list', '--url', url, '--admin-token', 'wrong-token'], { bare: true });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^sluice: Incorrect admin token\. \(invalid_api_key\)$/m);
  });

  test('list prints a table with every key', async () => {
    const run = await ok(['keys', 'list']);
    assert.deepEqual(
      run.requests.map((r) => `${r.method} ${r.path}`),
      ['GET /admin/keys'],
    );
    const header = run.stdout.split('\n')[0];
    for (const h of ['ID', 'NAME', 'PREFIX', 'PRIORITY', 'MODELS', 'BUDGETS', 'SPENT TODAY', 'ENABLED', 'EXPIRES', 'SOURCE']) assert.ok(header.includes(h), h);
    const shop = lineWith(run.stdout, 'key_aaaaaaaaaaaaaaaaaaaaaaaa');
    for (const s of ['shop', 'sk-sluice-AbCd', 'high', 'gpt-image-1,gpt-4o-mini', 'rpm=60 ipm=10', '$50/day $1000/month', '$1.2346', 'yes', '2026-12-31T00:00:00Z', 'api']) {
      assert.ok(shop.includes(s), `${s} in ${shop}`);
    }
    const batch = lineWith(run.stdout, 'key_bbbbbbbbbbbbbbbbbbbbbbbb');
    for (const s of ['batch', 'low', '*', '$0.0000', 'no', 'never', 'config']) assert.ok(batch.includes(s), `${s} in ${batch}`);
  });

  test('list --json prints the raw answer', async () => {
    const run = await ok(['keys', 'list', '--json']);
    assert.deepEqual(JSON.parse(run.stdout), { object: 'list', data: KEYS });
  });

  test('disable and enable resolve a name or an id and PATCH enabled', async () => {
    const off = await ok(['keys', 'disable', 'shop']);
    assert.deepEqual(
      off.requests.map((r) => [r.method, r.path, r.body]),
      [
        ['GET', '/admin/keys', undefined],
        ['PATCH', '/admin/keys/key_aaaaaaaaaaaaaaaaaaaaaaaa', { enabled: false }],
      ],
    );
    assert.match(off.stdout, /Disabled key shop \(key_aaaaaaaaaaaaaaaaaaaaaaaa\)/);
    const on = await ok(['keys', 'enable', 'key_bbbbbbbbbbbbbbbbbbbbbbbb']);
    assert.deepEqual(on.requests[1].body, { enabled: true });
    assert.equal(on.requests[1].path, '/admin/keys/key_bbbbbbbbbbbbbbbbbbbbbbbb');
  });

  test('revoke resolves the name and sends DELETE without a body', async () => {
    const run = await ok(['keys', 'revoke', 'batch']);
    const del = run.requests[1];
    assert.equal(del.method, 'DELETE');
    assert.equal(del.path, '/admin/keys/key_bbbbbbbbbbbbbbbbbbbbbbbb');
    assert.equal(del.raw, '');
    assert.equal(del.contentType, undefined, 'no JSON content type on an empty body (fastify would reject it)');
    assert.match(run.stdout, /Revoked key batch/);
  });

  test('update sends the changed fields; "none" removes a limit', async () => {
    const run = await ok(['keys', 'update', 'shop', '--daily-usd', '20', '--rpm', 'none', '--priority', 'normal', '--expires', 'none']);
    assert.equal(run.requests[1].method, 'PATCH');
    assert.deepEqual(run.requests[1].body, { priority: 'normal', rpm: null, dailyUsd: 20, expiresAt: null });
    assert.match(run.stdout, /Updated key shop/);
  });

  test('update with nothing to change, or an unknown key, fails', async () => {
    const empty = await sluice(['keys', 'update', 'shop']);
    assert.notEqual(empty.code, 0);
    assert.match(empty.stderr, /nothing to update/);
    assert.equal(empty.requests.length, 0);
    const unknown = await sluice(['keys', 'disable', 'nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /sluice: no key with id or name "nope"/);
    assert.equal(unknown.requests.length, 1, 'only the lookup');
  });
});

describe('sluice accounts', { concurrency: true }, () => {
  test('list prints a table: enabled or why not, circuit, in flight, source', async () => {
    const run = await ok(['accounts', 'list']);
    assert.equal(run.requests[0].path, '/admin/accounts');
    const oa = lineWith(run.stdout, 'oa-1');
    for (const s of ['openai', 'default', 'yes', 'closed', '2/8', 'gpt-4o-mini,gpt-image-1', 'config']) assert.ok(oa.includes(s), `${s} in ${oa}`);
    const az = lineWith(run.stdout, 'az-east');
    for (const s of ['azure', 'canary', 'no: invalid API key (401)', 'open until 2025-06-01T12:00:30.000Z', 'api']) assert.ok(az.includes(s), `${s} in ${az}`);
  });

  test('add reads the key from --api-key-env and sends the account body; the key is never printed', async () => {
    const run = await ok(
      [
        'accounts', 'add', '--name', 'oa-9', '--provider', 'openai', '--api-key-env', 'MY_UPSTREAM_KEY', '--group', 'batch', '--weight', '2',
        '--limit', 'gpt-4o-mini:rpm=500,tpm=200000', '--limit', 'gpt-image-1:ipm=5,burst=3/10', '--limit', 'ft:gpt-4o-mini:org::abc:rpd=100',
        '--models', 'text-embedding-3-small', '--max-concurrent', '4',
      ],
      { env: { MY_UPSTREAM_KEY: UPSTREAM_KEY } },
    );
    const [r] = run.requests;
    assert.equal(r.method, 'POST');
    assert.equal(r.path, '/admin/accounts');
    assert.deepEqual(r.body, {
      name: 'oa-9',
      provider: 'openai',
      apiKey: UPSTREAM_KEY,
      group: 'batch',
      weight: 2,
      limits: {
        'gpt-4o-mini': { rpm: 500, tpm: 200000 },
        'gpt-image-1': { ipm: 5, burst: { requests: 3, perSeconds: 10 } },
        'ft:gpt-4o-mini:org::abc': { rpd: 100 },
      },
      models: ['text-embedding-3-small'],
      maxConcurrent: 4,
    });
    assert.match(run.stdout, /Added account oa-9 \(openai, group batch\)/);
    assert.ok(!run.stdout.includes(UPSTREAM_KEY) && !run.stderr.includes(UPSTREAM_KEY));
  });

  test('add with azure flags and --api-key', async () => {
    const run = await ok([
      'accounts', 'add', '--name', 'az-2', '--provider', 'azure', '--base-url', 'https://x.openai.azure.com', '--api-key', UPSTREAM_KEY,
      '--deployment', 'gpt-4o=prod-4o', '--api-version', '2025-01-01', '--timeout-ms', '60000', '--json',
    ]);
    assert.deepEqual(run.requests[0].body, {
      name: 'az-2',
      provider: 'azure',
      baseUrl: 'https://x.openai.azure.com',
      apiKey: UPSTREAM_KEY,
      deployments: { 'gpt-4o': 'prod-4o' },
      apiVersion: '2025-01-01',
      timeoutMs: 60000,
    });
    assert.equal(JSON.parse(run.stdout).name, 'az-2');
    assert.ok(!run.stdout.includes(UPSTREAM_KEY));
  });

  test('add never echoes the upstream key, even inside an error message', async () => {
    const run = await sluice(['accounts', 'add', '--name', 'echo', '--provider', 'openai', '--api-key-env', 'K'], { env: { K: UPSTREAM_KEY } });
    assert.equal(run.code, 1);
    assert.ok(!run.stderr.includes(UPSTREAM_KEY), run.stderr);
    assert.match(run.stderr, /sluice: apiKey: \*\*\* looks wrong \(invalid_value\)/);
  });

  test('add refuses to run with an unset key variable (more cases in parsers.test.ts)', async () => {
    const unset = await sluice(['accounts', 'add', '--name', 'x', '--provider', 'openai', '--api-key-env', 'SLUICE_TEST_UNSET_VAR']);
    assert.equal(unset.code, 2);
    assert.match(unset.stderr, /^sluice: --api-key-env: environment variable SLUICE_TEST_UNSET_VAR is not set$/m);
    assert.equal(unset.requests.length, 0);
  });

  test('a non-JSON error answer is reported with its status', async () => {
    const run = await sluice(['accounts', 'add', '--name', 'html', '--provider', 'openai', '--api-key', 'k']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /sluice: the gateway answered HTTP 502 Bad Gateway: <html><body>Bad Gateway/);
  });

  test('disable, enable and remove', async () => {
    const off = await ok(['accounts', 'disable', 'oa-1']);
    assert.deepEqual([off.requests[0].method, off.requests[0].path, off.requests[0].raw], ['POST', '/admin/accounts/oa-1/disable', '']);
    assert.match(off.stdout, /Disabled account oa-1/);
    const on = await ok(['accounts', 'enable', 'az-east']);
    assert.equal(on.requests[0].path, '/admin/accounts/az-east/enable');
    const rm = await ok(['accounts', 'remove', 'az-east']);
    assert.deepEqual([rm.requests[0].method, rm.requests[0].path], ['DELETE', '/admin/accounts/az-east']);
    assert.match(rm.stdout, /Removed account az-east/);
    const cfg = await sluice(['accounts', 'remove', 'oa-1']);
    assert.equal(cfg.code, 1);
    assert.match(cfg.stderr, /sluice: oa-1 comes from the config file: remove it there, or disable it\. \(conflict\)/);
    const missing = await sluice(['accounts', 'disable', 'ghost']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No account named ghost\. \(not_found\)/);
  });
});

describe('sluice usage', { concurrency: true }, () => {
  test('groups as a table: right-aligned numbers, 4+ decimals for cost, a TOTAL line', async () => {
    const run = await ok(['usage', '--group-by', 'model', '--from', '2025-06-01', '--to', '2025-07-01T00:00:00Z', '--client', 'shop']);
    const [r] = run.requests;
    assert.equal(r.path, '/admin/usage');
    assert.deepEqual(r.query, { group_by: 'model', from: '2025-06-01', to: '2025-07-01T00:00:00Z', client: 'shop' });
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^MODEL\s+REQUESTS\s+ERRORS\s+IN TOKENS\s+OUT TOKENS\s+IN IMG TOKENS\s+OUT IMG TOKENS\s+IMAGES\s+COST USD$/);
    const img = lineWith(run.stdout, 'gpt-image-1');
    const mini = lineWith(run.stdout, 'gpt-4o-mini');
    const total = lineWith(run.stdout, 'TOTAL');
    assert.match(img, /1,200\s+3\s+45,000\s+0\s+0\s+5,000,000\s+1,200\s+201\.500000000$/);
    assert.match(mini, /\s0\.000123456$/);
    assert.match(total, /^TOTAL\s+1,207\s+3\s+46,000\s+250\s+0\s+5,000,000\s+1,200\s+201\.500123456$/);
    // Right-aligned: every row ends at the same column, and the cost column lines up on the point.
    assert.equal(new Set([lines[0], img, mini, total].map((l) => l.length)).size, 1);
    assert.equal(new Set([img, mini, total].map((l) => l.lastIndexOf('.'))).size, 1);
  });

  test('plain costs still get 4 decimals', async () => {
    const { usageTable } = await import('../../src/cli/usage.ts');
    const out = usageTable('client', [{ client: 'a', requests: 1, errors: 0, inputTextTokens: 1, outputTextTokens: 1, inputImageTokens: 0, outputImageTokens: 0, images: 0, costUsd: 2 }]);
    assert.match(lineWith(out, 'TOTAL'), /\s2\.0000$/);
  });

  test('--csv passes the gateway CSV through unchanged', async () => {
    const run = await ok(['usage', '--csv', '--group-by', 'model']);
    assert.equal(run.stdout, USAGE_CSV);
    assert.deepEqual(run.requests[0].query, { group_by: 'model', format: 'csv' });
    const rows = await ok(['usage', '--rows', '--csv', '--limit', '5']);
    assert.equal(rows.stdout, ROWS_CSV);
    assert.equal(rows.requests[0].path, '/admin/usage/rows');
    assert.deepEqual(rows.requests[0].query, { limit: '5', format: 'csv' });
  });

  test('--rows lists ledger rows; --json prints the raw answer', async () => {
    const run = await ok(['usage', '--rows', '--client', 'shop']);
    assert.equal(run.requests[0].path, '/admin/usage/rows');
    assert.deepEqual(run.requests[0].query, { client: 'shop' });
    const row = lineWith(run.stdout, '2025-06-01T10:00:00.000Z');
    for (const s of ['shop', 'gpt-image-1', 'oa-1', '/v1/images/generations', '200', '4,160', '0.1670', '1,500', '42,000']) assert.ok(row.includes(s), `${s} in ${row}`);
    assert.match(lineWith(run.stdout, 'TOTAL'), /TOTAL \(1 rows\)/);
    const json = await ok(['usage', '--json']);
    assert.deepEqual(JSON.parse(json.stdout), { object: 'list', data: USAGE });
    assert.deepEqual(json.requests[0].query, { group_by: 'client' });
    const empty = await ok(['usage', '--client', 'nobody']);
    assert.match(empty.stdout, /No usage in this period/);
  });
});

describe('connection', () => {
  test('unreachable gateway: exit 1 with a hint', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const run = await sluice(['keys', 'list', '--url', `http://127.0.0.1:${port}`, '--admin-token', TOKEN], { bare: true });
    assert.equal(run.code, 1);
    assert.equal(run.stderr.trim(), `sluice: cannot reach the gateway at http://127.0.0.1:${port}: is \`sluice serve\` running?`);
  });

  test('URL and token come from the config (0.0.0.0 -> 127.0.0.1), even when other variables are unset', async () => {
    const port = (server.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-config-'));
    const file = join(dir, 'sluice.yaml');
    writeFileSync(
      file,
      [
        'server: { host: 0.0.0.0, port: ' + port + ' }',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a config file's ${VAR} reference
        'adminToken: ${TEST_ADMIN_TOKEN}',
        'accounts:',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a config file's ${VAR} reference
        '  - { name: a, provider: openai, apiKey: ${SLUICE_TEST_UNSET_UPSTREAM_KEY} }',
        '',
      ].join('\n'),
    );
    try {
      const run = await ok(['keys', 'list', '--json'], { bare: true, cwd: dir, env: { TEST_ADMIN_TOKEN: TOKEN } });
      assert.equal(run.requests[0].auth, `Bearer ${TOKEN}`);
      // $SLUICE_ADMIN_TOKEN wins over the config.
      const env = await sluice(['keys', 'list'], { bare: true, cwd: dir, env: { TEST_ADMIN_TOKEN: TOKEN, SLUICE_ADMIN_TOKEN: 'from-env-token' } });
      assert.equal(env.requests[0].auth, 'Bearer from-env-token');
      assert.equal(env.code, 1);
      // No token anywhere: a local error, nothing sent.
      const none = await sluice(['keys', 'list'], { bare: true, cwd: dir });
      assert.equal(none.code, 2);
      assert.match(none.stderr, /no admin token.*TEST_ADMIN_TOKEN is not set/);
      assert.equal(none.requests.length, 0);
      // -c names the file explicitly.
      const other = join(dir, 'other.yaml');
      writeFileSync(other, `server:\n  port: ${port}\nadminToken: ${TOKEN}\n`);
      const viaFlag = await ok(['accounts', 'list', '-c', other], { bare: true });
      assert.equal(viaFlag.requests[0].auth, `Bearer ${TOKEN}`);
      // ...and so does $SLUICE_CONFIG (this run's cwd has no sluice.yaml).
      const viaEnv = await ok(['accounts', 'list'], { bare: true, env: { SLUICE_CONFIG: other } });
      assert.equal(viaEnv.requests[0].path, '/admin/accounts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
