import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_TOKEN, admin, CLIENT_KEY, chatAs, startHarness, type Harness } from '../helpers/harness.ts';

const MODELS = ['gpt-4o-mini', 'gpt-image-1', 'dall-e-3'];

/** Two accounts in two groups, so where a key's requests go shows which groups it may use. */
function pool(): Parameters<typeof startHarness>[0] {
  return {
    simAccounts: [
      { name: 'p1', key: 'sk-up-primary-0001' },
      { name: 'c1', key: 'sk-up-cheap-00001' },
    ],
    accounts: [
      { name: 'p1', apiKey: 'sk-up-primary-0001', group: 'primary', models: MODELS },
      { name: 'c1', apiKey: 'sk-up-cheap-00001', group: 'cheap', models: MODELS },
    ],
  };
}

// biome-ignore lint/suspicious/noExplicitAny: admin API answers of several shapes, read field by field
type Json = Record<string, any>;

async function adminRaw(h: Harness, method: string, path: string, body: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${h.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

/** The accounts that served `n` chat requests of `key`. */
async function servedBy(h: Harness, key: string, n = 4): Promise<Set<string | null>> {
  const out = new Set<string | null>();
  for (let i = 0; i < n; i++) {
    const r = await chatAs(h, key);
    assert.equal(r.status, 200, r.message ?? '');
    out.add(r.account);
  }
  return out;
}

async function imageStatus(h: Harness, key: string, prompt: string, quality = 'medium'): Promise<{ status: number; code?: string; policy?: string }> {
  const res = await fetch(`${h.url}/v1/images/generations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-image-1', prompt, quality }),
  });
  const json = (await res.json()) as { error?: { code: string } };
  return json.error ? { status: res.status, code: json.error.code } : { status: res.status, policy: res.headers.get('x-sluice-policy') ?? undefined };
}

describe('a key made through the admin API carries its own policy', () => {
  let h: Harness;
  let id: string;
  let secret: string;
  before(async () => {
    h = await startHarness(pool());
  });
  after(() => h.close());

  test('created with groups, guardrails and an image ceiling: all apply at once, and the key shows them', async () => {
    const created = await adminRaw(h, 'POST', '/keys', {
      name: 'tenant',
      groups: ['cheap'],
      guardrails: { words: ['knockoff'] },
      images: { maxQuality: 'medium' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    id = created.json.id;
    secret = created.json.key;
    assert.deepEqual(created.json.policy.groups, ['cheap']);
    assert.deepEqual(created.json.policy.guardrails.words, ['knockoff']);
    assert.deepEqual([...(await servedBy(h, secret))], ['c1']);
    const before = h.sim.stats().totals.accepted;
    assert.deepEqual(await imageStatus(h, secret, 'a knockoff sneaker ad'), { status: 400, code: 'content_policy_violation' });
    assert.equal(h.sim.stats().totals.accepted, before, 'nothing was sent upstream');
  });

  test('a patch changes one field and leaves the others; null clears one', async () => {
    const patched = await adminRaw(h, 'PATCH', `/keys/${id}`, { groups: ['primary'] });
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    assert.deepEqual([...(await servedBy(h, secret))], ['p1']);
    assert.equal((await imageStatus(h, secret, 'a knockoff sneaker ad')).status, 400, 'the guardrails are still there');
    await admin(h, `/keys/${id}`, { method: 'PATCH', body: JSON.stringify({ guardrails: null }) });
    assert.deepEqual(await imageStatus(h, secret, 'a knockoff sneaker ad', 'high'), { status: 200, policy: 'quality=medium' }, 'the image ceiling is still there');
  });

  test('kept in the store: another gateway on the same store applies it', async () => {
    const other = await startHarness({ ...pool(), store: h.store });
    try {
      assert.deepEqual([...(await servedBy(other, secret))], ['p1']);
    } finally {
      await other.close();
    }
  });

  test('refused with a 400 naming the field: an unknown group, a fallback the key may not use, word-list files, a config key', async () => {
    const group = await adminRaw(h, 'POST', '/keys', { name: 'lost', groups: ['nowhere'] });
    assert.equal(group.status, 400);
    assert.equal(group.json.error.param, 'groups.0');
    const fallback = await adminRaw(h, 'POST', '/keys', { name: 'narrow', models: ['gpt-image-1'], fallbacks: { 'gpt-image-1': ['dall-e-3'] } });
    assert.equal(fallback.status, 400);
    assert.equal(fallback.json.error.param, 'fallbacks.gpt-image-1.0');
    const files = await adminRaw(h, 'POST', '/keys', { name: 'files', guardrails: { wordLists: ['/etc/passwd'] } });
    assert.equal(files.status, 400);
    const keys = await admin<{ data: Array<{ id: string; source: string; name: string }> }>(h, '/keys');
    const config = keys.data.find((k) => k.source === 'config');
    assert.ok(config, 'the harness has a config key');
    const configPatch = await adminRaw(h, 'PATCH', `/keys/${config.id}`, { groups: ['cheap'] });
    assert.equal(configPatch.status, 400);
    assert.equal(keys.data.filter((k) => ['lost', 'narrow', 'files'].includes(k.name)).length, 0, 'no refused key was created');
    assert.equal((await chatAs(h, CLIENT_KEY)).status, 200);
  });
});
