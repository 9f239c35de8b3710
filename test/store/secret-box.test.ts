import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createSecretBox, masterSecretFrom, openStore, SecretBoxError } from '../../src/store/index.ts';

const SECRET = 'correct horse battery staple';
const API_KEY = 'sk-proj-PLAINTEXT-upstream-key-0123456789abcdef';

describe('secret box', () => {
  test('round trip, including empty and non-ASCII text', () => {
    const box = createSecretBox(SECRET);
    for (const plain of [API_KEY, '', 'clé-✓-密钥']) assert.equal(box.decrypt(box.encrypt(plain)), plain);
    // A second box from the same secret (a restart) reads the first one's tokens.
    assert.equal(createSecretBox(SECRET).decrypt(box.encrypt(API_KEY)), API_KEY);
  });

  test('token format: v1: + base64url, fresh IV each time, no plaintext inside', () => {
    const box = createSecretBox(SECRET);
    const [a, b] = [box.encrypt(API_KEY), box.encrypt(API_KEY)];
    assert.notEqual(a, b);
    for (const token of [a, b]) {
      assert.match(token, /^v1:[A-Za-z0-9_-]+$/);
      assert.equal(Buffer.from(token.slice(3), 'base64url').length, 12 + 16 + Buffer.byteLength(API_KEY));
      assert.ok(!token.includes(API_KEY) && !token.includes('PLAINTEXT'));
      assert.ok(!Buffer.from(token.slice(3), 'base64url').includes(API_KEY));
    }
  });

  test('tampering is detected, and the error does not leak the plaintext', () => {
    const box = createSecretBox(SECRET);
    const token = box.encrypt(API_KEY);
    const raw = Buffer.from(token.slice(3), 'base64url');
    for (const at of [0, 12, 28, raw.length - 1]) {
      const bad = Buffer.from(raw);
      bad[at] ^= 1;
      assert.throws(
        () => box.decrypt('v1:' + bad.toString('base64url')),
        (err: Error) => err instanceof SecretBoxError && /altered|different SLUICE_SECRET/.test(err.message) && !err.message.includes(API_KEY),
      );
    }
    assert.throws(() => box.decrypt(token.slice(0, 20)), SecretBoxError);
    assert.throws(() => box.decrypt(token.replace('v1:', 'v2:')), /v1:/);
  });

  test('a wrong secret fails', () => {
    const token = createSecretBox(SECRET).encrypt(API_KEY);
    assert.throws(() => createSecretBox(SECRET + '!').decrypt(token), SecretBoxError);
  });

  test('a short master secret is refused', () => {
    assert.throws(() => createSecretBox('short'), /at least 16/);
  });

  test('masterSecretFrom: SLUICE_SECRET, or an error saying how to set it', () => {
    assert.equal(masterSecretFrom({ SLUICE_SECRET: SECRET }), SECRET);
    assert.throws(() => masterSecretFrom({}), (err: Error) => err instanceof SecretBoxError && /SLUICE_SECRET/.test(err.message) && /openssl rand/.test(err.message));
    assert.throws(() => masterSecretFrom({ SLUICE_SECRET: '' }), /not set/);
    assert.throws(() => masterSecretFrom({ SLUICE_SECRET: 'tooshort' }), /too short/);
  });
});

describe('secret box with the SQLite store', () => {
  test('an account key stored encrypted never appears in the database files', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-secret-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const box = createSecretBox(SECRET);
    const token = box.encrypt(API_KEY);
    const store = await openStore({ sqlite: join(dir, 'sluice.db') });
    await store.accounts.upsert({ name: 'acct', settings: { provider: 'openai', group: 'default' }, apiKeyEncrypted: token, enabled: true, source: 'api' });
    assert.equal(box.decrypt((await store.accounts.get('acct'))!.apiKeyEncrypted), API_KEY);

    // Read the raw bytes while open (the WAL holds recent writes) and again after close (checkpointed).
    const bytes = async () => Buffer.concat(await Promise.all((await readdir(dir)).map((f) => readFile(join(dir, f)))));
    const open = await bytes();
    await store.close();
    for (const raw of [open, await bytes()]) {
      assert.ok(raw.includes(token), 'the ciphertext is in the files: we are reading the right bytes');
      assert.ok(!raw.includes(API_KEY), 'the plaintext key must not be stored');
      assert.ok(!raw.includes('PLAINTEXT'));
    }
  });
});
