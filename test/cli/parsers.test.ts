// In-process checks of the operator CLI's flag parsers, connection defaults and table renderer
// (the end-to-end behaviour is in admin-cli.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { accountBody, parseLimit } from '../../src/cli/accounts.ts';
import { CliError, clearable, isoTime, list, NONE, nonNegativeNumber, positiveInt, positiveNumber, resolveConnection, urlFor } from '../../src/cli/admin-client.ts';
import { cell, columnDecimals, formatInt, formatUsd, renderTable } from '../../src/cli/table.ts';

describe('flag parsers', () => {
  test('numbers', () => {
    assert.equal(positiveInt('60'), 60);
    for (const bad of ['0', '-1', '1.5', 'x', '']) assert.throws(() => positiveInt(bad), InvalidArgumentError, bad);
    assert.equal(positiveNumber('2.5'), 2.5);
    for (const bad of ['0', '-2', 'x', '', 'Infinity']) assert.throws(() => positiveNumber(bad), InvalidArgumentError, bad);
    assert.equal(nonNegativeNumber('0'), 0);
    assert.equal(nonNegativeNumber('49.99'), 49.99);
    for (const bad of ['-1', 'x', ' ']) assert.throws(() => nonNegativeNumber(bad), InvalidArgumentError, bad);
  });

  test('lists, expiry times and "none"', () => {
    assert.deepEqual(list('a, b,,c '), ['a', 'b', 'c']);
    assert.throws(() => list(' , '), InvalidArgumentError);
    assert.equal(isoTime('2026-12-31'), '2026-12-31T00:00:00Z');
    assert.equal(isoTime('2026-12-31T00:00:00Z'), '2026-12-31T00:00:00Z');
    assert.equal(isoTime('2026-12-31T08:30:00.5+02:00'), '2026-12-31T08:30:00.5+02:00');
    for (const bad of ['next tuesday', '2026-12-31T00:00:00', '2026-13-45', '1767139200000']) assert.throws(() => isoTime(bad), InvalidArgumentError, bad);
    const rpm = clearable(positiveInt);
    assert.equal(rpm('none'), NONE);
    assert.equal(rpm('OFF'), NONE);
    assert.equal(rpm('5'), 5);
    assert.throws(() => rpm('-5'), InvalidArgumentError);
  });

  test('--limit MODEL:field=N,...', () => {
    assert.deepEqual(parseLimit('gpt-4o-mini:rpm=500,tpm=200000'), ['gpt-4o-mini', { rpm: 500, tpm: 200000 }]);
    assert.deepEqual(parseLimit('gpt-image-1:ipm=5,rpd=1000,burst=3/10'), ['gpt-image-1', { ipm: 5, rpd: 1000, burst: { requests: 3, perSeconds: 10 } }]);
    assert.deepEqual(parseLimit('ft:gpt-4o-mini:org::id:RPM=7'), ['ft:gpt-4o-mini:org::id', { rpm: 7 }]);
    for (const bad of ['gpt-4o', 'gpt-4o:', ':rpm=5', 'gpt-4o:rpx=5', 'gpt-4o:rpm=0', 'gpt-4o:rpm=1.5', 'gpt-4o:burst=3']) {
      assert.throws(() => parseLimit(bad), InvalidArgumentError, bad);
    }
  });

  test('account body: the key from the environment, limits merged per model', () => {
    const body = accountBody(
      {
        name: 'a',
        provider: 'openai',
        apiKeyEnv: 'K',
        limit: [
          ['m', { rpm: 1 }],
          ['m', { tpm: 2 }],
        ],
      },
      { K: 'sk-x' },
    );
    assert.deepEqual(body, { name: 'a', provider: 'openai', apiKey: 'sk-x', limits: { m: { rpm: 1, tpm: 2 } } });
    assert.throws(() => accountBody({ name: 'a', provider: 'openai' }, {}), (e: unknown) => e instanceof CliError && /--api-key-env VAR/.test(e.message));
    assert.throws(() => accountBody({ name: 'a', provider: 'openai', apiKeyEnv: 'K' }, { K: '' }), /K is not set/);
  });
});

describe('connection', () => {
  test('wildcard listen addresses are reached on loopback; IPv6 gets brackets', () => {
    assert.equal(urlFor('0.0.0.0', 8080), 'http://127.0.0.1:8080');
    assert.equal(urlFor('::', 8080), 'http://127.0.0.1:8080');
    assert.equal(urlFor('::1', 9000), 'http://[::1]:9000');
    assert.equal(urlFor('gw.internal', 80), 'http://gw.internal:80');
  });

  test('flags win; $SLUICE_ADMIN_TOKEN next; a trailing slash is dropped', async () => {
    assert.deepEqual(await resolveConnection({ url: 'http://h:1/', adminToken: 'flag-token' }, { SLUICE_ADMIN_TOKEN: 'env-token' }), { url: 'http://h:1', token: 'flag-token' });
    assert.deepEqual(await resolveConnection({ url: 'https://h/base' }, { SLUICE_ADMIN_TOKEN: 'env-token' }), { url: 'https://h/base', token: 'env-token' });
    await assert.rejects(resolveConnection({ url: 'ftp://h', adminToken: 't' }, {}), /not an http\(s\) URL/);
    await assert.rejects(resolveConnection({ url: 'nope', adminToken: 't' }, {}), /is not a URL/);
  });

  test('without a config, the defaults (127.0.0.1:8080); without a token, a clear error', async () => {
    const conn = await resolveConnection({ adminToken: 'token-123' }, { SLUICE_CONFIG: undefined });
    // No ./sluice.yaml is expected in the repository root where tests run.
    assert.equal(conn.url, 'http://127.0.0.1:8080');
    await assert.rejects(resolveConnection({ url: 'http://h:1' }, {}), (e: unknown) => e instanceof CliError && e.exitCode === 2 && /no admin token/.test(e.message));
    await assert.rejects(resolveConnection({ config: '/nonexistent/sluice.yaml' }, {}), /cannot read \/nonexistent\/sluice\.yaml: ENOENT/);
  });
});

describe('table', () => {
  test('pads columns, right-aligns numbers, adds a footer under a rule', () => {
    const out = renderTable(
      [{ header: 'NAME' }, { header: 'N', align: 'right' }],
      [
        ['a', '1'],
        ['long-name', '1,000'],
      ],
      [['TOTAL', '1,001']],
    );
    assert.equal(out, ['NAME           N', '---------  -----', 'a              1', 'long-name  1,000', '---------  -----', 'TOTAL      1,001', ''].join('\n'));
  });

  test('cells cannot carry terminal escapes or newlines; null shows as -', () => {
    assert.equal(cell('bad\u001b[31mred\nline\r'), 'bad [31mred line');
    assert.equal(cell(null), '-');
    assert.equal(cell(0), '0');
  });

  test('numbers and costs', () => {
    assert.equal(formatInt(1234567), '1,234,567');
    assert.equal(formatInt(null), '-');
    assert.equal(formatUsd(1.5), '1.5000');
    assert.equal(formatUsd(0.000123456), '0.000123456');
    assert.equal(formatUsd(0.1 + 0.2), '0.3000');
    assert.equal(formatUsd(1.23456789, 4), '1.2346');
    assert.equal(columnDecimals([1, 0.25, 0.00001]), 5);
    assert.equal(columnDecimals([]), 4);
  });
});
