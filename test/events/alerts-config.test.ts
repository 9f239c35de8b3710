import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfigFile, parseConfig } from '../../src/config/index.ts';

/** The example of README "Events and alerts". */
const README_EXAMPLE = `
alerts:
  webhooks:
    - url: https://open.feishu.cn/open-apis/bot/v2/hook/\${FEISHU_HOOK_ID}
      format: feishu                 # json (default) | slack | feishu | dingtalk
    - url: \${SLACK_WEBHOOK_URL}
      format: slack
      events: [account_disabled, account_enabled, circuit_opened, circuit_closed]
  retries: 3                         # then a warning in the log
  dedupeSeconds: 300                 # same (type, account, client) at most once per 5 min
`;

describe('alerts config', () => {
  test('absent: no webhooks, and the documented defaults', () => {
    assert.deepEqual(parseConfig({}).alerts, { webhooks: [], retries: 3, backoffMs: 1000, timeoutMs: 5000, dedupeSeconds: 300 });
  });

  test('the README example loads; a webhook defaults to json and the three alarming event types', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sluice-alerts-')), 'sluice.yaml');
    writeFileSync(file, README_EXAMPLE);
    const cfg = loadConfigFile(file, { FEISHU_HOOK_ID: 'abc-123', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/xyz' });
    assert.deepEqual(cfg.alerts.webhooks[0], {
      url: 'https://open.feishu.cn/open-apis/bot/v2/hook/abc-123',
      format: 'feishu',
      events: ['account_disabled', 'circuit_opened', 'budget_threshold'],
    });
    assert.equal(cfg.alerts.webhooks[1].format, 'slack');
    assert.equal(cfg.alerts.webhooks[1].events.length, 4);
    assert.ok(Object.isFrozen(cfg.alerts.webhooks[0].events));
    assert.equal(parseConfig({ alerts: { webhooks: [{ url: 'http://127.0.0.1:9000/x' }] } }).alerts.webhooks[0].format, 'json');
  });

  test('bad values name the field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ webhooks: [{ url: 'ftp://files.example.com/drop' }] }, /^alerts\.webhooks\[0\]\.url: must be an http\(s\) URL/],
      [{ webhooks: [{ url: 'hooks.slack.com/x' }] }, /^alerts\.webhooks\[0\]\.url:/],
      [{ webhooks: [{ url: 'https://x.example', events: ['account_exploded'] }] }, /^alerts\.webhooks\[0\]\.events\[0\]:/],
      [{ webhooks: [{ url: 'https://x.example', events: [] }] }, /^alerts\.webhooks\[0\]\.events:/],
      [{ webhooks: [{ url: 'https://x.example', format: 'teams' }] }, /^alerts\.webhooks\[0\]\.format:/],
      [{ retries: -1 }, /^alerts\.retries:/],
      [{ backoffMs: 0 }, /^alerts\.backoffMs:/],
      [{ webhook: [] }, /^alerts: Unrecognized key/],
    ];
    for (const [alerts, message] of cases) {
      assert.throws(() => parseConfig({ alerts }), (err: unknown) => err instanceof ConfigError && message.test(err.message), JSON.stringify(alerts));
    }
  });
});
