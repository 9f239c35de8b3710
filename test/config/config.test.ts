import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfigFile, parseConfig } from '../../src/config/index.ts';

function tmpFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-cfg-')), 'sluice.yaml');
  writeFileSync(file, text);
  return file;
}

const minimal = `
clients:
  - { name: shop, key: \${SHOP_KEY}, priority: high, models: ["*"], budget: { dailyUsd: 50 } }
accounts:
  - name: oa-1
    provider: openai
    apiKey: \${OPENAI_KEY_1}
    group: primary
    limits:
      gpt-image-1: { rpm: 50, ipm: 50 }
      gpt-4o-mini: { rpm: 500, tpm: 200000, rpd: 10000, burst: { requests: 3, perSeconds: 10 } }
`;

describe('config', () => {
  test('the DESIGN.md shape loads, with ${ENV} interpolation and defaults', () => {
    const cfg = loadConfigFile(tmpFile(minimal), { SHOP_KEY: 'sk-shop-123456', OPENAI_KEY_1: 'sk-oa-1' });
    assert.equal(cfg.clients[0].key, 'sk-shop-123456');
    assert.equal(cfg.accounts[0].apiKey, 'sk-oa-1');
    assert.equal(cfg.accounts[0].limits['gpt-4o-mini'].tpm, 200000);
    assert.equal(cfg.server.port, 8080);
    assert.equal(cfg.server.host, '127.0.0.1');
    assert.deepEqual(cfg.store, { sqlite: './data/sluice.db' });
    assert.ok(Object.isFrozen(cfg) && Object.isFrozen(cfg.accounts[0].limits));
  });

  test('${VAR:-default} falls back; a missing ${VAR} names the field', () => {
    const cfg = parseConfig({ adminToken: 'x'.repeat(10) });
    assert.equal(cfg.adminToken, 'xxxxxxxxxx');
    assert.throws(
      () => loadConfigFile(tmpFile(minimal), { SHOP_KEY: 'sk-shop-123456' }),
      (e: unknown) => e instanceof ConfigError && /accounts\[0\]\.apiKey: environment variable OPENAI_KEY_1 is not set/.test(e.message),
    );
    const withDefault = loadConfigFile(tmpFile('adminToken: ${NOPE_TOKEN:-fallback-token}\n'), {});
    assert.equal(withDefault.adminToken, 'fallback-token');
  });

  test('a bad field stops with one line naming it', () => {
    const bad = minimal.replace('provider: openai', 'provider: openia');
    assert.throws(
      () => loadConfigFile(tmpFile(bad), { SHOP_KEY: 'sk-shop-123456', OPENAI_KEY_1: 'k' }),
      (e: unknown) => e instanceof ConfigError && e.message.includes('accounts[0].provider') && !e.message.includes('\n'),
    );
    assert.throws(() => parseConfig({ server: { port: 'eighty' } }), /server\.port/);
    assert.throws(() => parseConfig({ accounts: [{ name: 'a', provider: 'azure', apiKey: 'k' }] }), /accounts\[0\]\.baseUrl: is required/);
    assert.throws(() => parseConfig({ accounts: [{ name: 'a', provider: 'openai', apiKey: 'k', limits: { m: { rpm: -1 } } }] }), /accounts\[0\]\.limits\.m\.rpm/);
    assert.throws(() => parseConfig({ unknownTop: 1 }), /unknownTop|Unrecognized/);
    assert.throws(
      () => parseConfig({ accounts: [{ name: 'a', provider: 'openai', apiKey: 'k' }, { name: 'a', provider: 'openai', apiKey: 'k2' }] }),
      /accounts\[1\]\.name: duplicates "a"/,
    );
  });

  test('an env value cannot inject YAML structure', () => {
    const cfg = loadConfigFile(tmpFile(minimal), { SHOP_KEY: 'sk-x\n  - evil: true', OPENAI_KEY_1: 'k' });
    assert.equal(cfg.clients.length, 1);
    assert.equal(cfg.clients[0].key, 'sk-x\n  - evil: true');
  });

  test('the shipped example config is valid', () => {
    const cfg = loadConfigFile('sluice.example.yaml', { SHOP_KEY: 'sk-shop-123456', OPENAI_KEY_1: 'a', OPENAI_KEY_2: 'b' });
    assert.ok(cfg.accounts.length >= 2);
  });

  test('`sluice serve` with a bad file exits 2 with one line naming the field', () => {
    const file = tmpFile('server: { port: 99999 }\n');
    const r = spawnSync(process.execPath, ['bin/sluice.mjs', 'serve', '--config', file], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('node24') && !l.includes('ExperimentalWarning'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /server\.port/);
  });
});
