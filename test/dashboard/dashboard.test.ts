import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, launchBrowser } from '../helpers/browser.ts';
import { ADMIN_TOKEN, admin, startHarness, type Harness, type HarnessOptions } from '../helpers/harness.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
/** Generous: the page gets a snapshot a second and spend is re-read from the ledger every 5 s. */
const WAIT = { timeout: 20_000 };

/** A pool of three accounts with limits, so the page has headroom bars to draw. */
const POOL: Required<Pick<HarnessOptions, 'simAccounts' | 'accounts'>> = {
  simAccounts: [
    { name: 'alpha', key: 'sk-upstream-alpha-000001' },
    { name: 'bravo', key: 'sk-upstream-bravo-000002' },
    { name: 'charlie', key: 'sk-upstream-charlie-0003' },
  ],
  accounts: [
    { name: 'alpha', apiKey: 'sk-upstream-alpha-000001', group: 'primary', limits: { 'gpt-4o-mini': { rpm: 60, tpm: 200000 } } },
    { name: 'bravo', apiKey: 'sk-upstream-bravo-000002', group: 'primary', limits: { 'gpt-4o-mini': { rpm: 30, tpm: 100000 }, 'gpt-image-1': { rpm: 5, ipm: 5 } } },
    { name: 'charlie', apiKey: 'sk-upstream-charlie-0003', group: 'backup', maxConcurrent: 4, limits: { 'gpt-4o-mini': { rpm: 20 } } },
  ],
};
const NAMES = POOL.accounts.map((a) => a.name);

let h: Harness;
before(async () => {
  h = await startHarness(POOL);
});
after(() => h?.close());

describe('dashboard: nothing without the admin token', () => {
  test('GET /dashboard answers 401 with the sign-in page and no account data', async () => {
    const res = await fetch(`${h.url}/dashboard`);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const body = await res.text();
    assert.match(body, /<form[^>]+action="\/dashboard\/login"/);
    assert.match(body, /name="token"/);
    for (const name of NAMES) assert.ok(!body.includes(name), `the sign-in page does not mention ${name}`);
  });

  test('/dashboard/live and /dashboard/snapshot answer 401, also to a wrong bearer token', async () => {
    for (const path of ['/dashboard/live', '/dashboard/snapshot']) {
      for (const headers of [{}, { authorization: 'Bearer not-the-admin-token' }]) {
        const res = await fetch(`${h.url}${path}`, { headers });
        assert.equal(res.status, 401, path);
        const body = (await res.json()) as { error: { code: string } };
        assert.equal(body.error.code, 'invalid_api_key');
        assert.ok(!JSON.stringify(body).includes('alpha'));
      }
    }
  });

  test('a wrong token in the sign-in form is refused: 401, an error message, no cookie', async () => {
    const res = await fetch(`${h.url}/dashboard/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'not-the-admin-token' }),
      redirect: 'manual',
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('set-cookie'), null);
    const body = await res.text();
    assert.match(body, /class="error"[^>]*>That is not the admin token\./);
    assert.ok(!body.includes('alpha'));
  });

  test('the right token sets a session cookie that opens the page; the assets need no token', async () => {
    const login = await fetch(`${h.url}/dashboard/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: ADMIN_TOKEN }),
      redirect: 'manual',
    });
    assert.equal(login.status, 303);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    assert.match(cookie, /^sluice_dashboard=./);
    const page = await fetch(`${h.url}/dashboard`, { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /id="accounts"/);
    for (const asset of ['dashboard.js', 'dashboard.css', 'chart.umd.min.js']) {
      const res = await fetch(`${h.url}/dashboard/assets/${asset}`);
      assert.equal(res.status, 200, asset);
      await res.arrayBuffer();
    }
  });

  test('the page script inserts data as text only, never as HTML', () => {
    const js = readFileSync(join(ROOT, 'src/http/dashboard/dashboard.js'), 'utf8');
    assert.doesNotMatch(js, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });
});

describe('dashboard snapshot on a store shared by several gateways', () => {
  test("lists an event another gateway recorded in the shared store, which this one's memory does not have", async () => {
    const other = await startHarness({ ...POOL, store: h.store }); // a second instance on the same store
    try {
      await admin(other, '/accounts/charlie/disable', { method: 'POST' });
      assert.ok(!h.app.events.list().some((e) => e.account === 'charlie'), "the event is not in this gateway's memory");
      let events: Array<{ type: string; account?: string }> = [];
      // The snapshot re-reads the store at most every 5 s.
      for (let i = 0; i < 80 && !events.some((e) => e.type === 'account_disabled' && e.account === 'charlie'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        const res = await fetch(`${h.url}/dashboard/snapshot`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        events = ((await res.json()) as { events: typeof events }).events;
      }
      assert.ok(
        events.some((e) => e.type === 'account_disabled' && e.account === 'charlie'),
        JSON.stringify(events),
      );
    } finally {
      await other.close();
    }
  });
});

describe('dashboard in a browser', { skip: browserSkipReason() }, () => {
  let browser: Browser;
  let page: Page;
  /** The chart's Chart.js instance id, to prove the charts are updated and not re-created. */
  const chartId = (canvas: string): Promise<unknown> => page.evaluate(`Chart.getChart(${JSON.stringify(canvas)})?.id`);
  const row = (name: string): string => `#accounts tr[data-account="${name}"]`;

  before(async () => {
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
  });
  after(() => browser?.close());

  test('signing in through the form (after a wrong token) shows the pool: names and states', async () => {
    const first = await page.goto(`${h.url}/dashboard`);
    assert.equal(first?.status(), 401);
    await page.fill('#token', 'not-the-admin-token');
    await page.click('button[type="submit"]');
    await page.waitForSelector('#login-error:has-text("That is not the admin token")', WAIT);
    assert.equal(await page.locator('#accounts').count(), 0, 'no dashboard without the token');

    await page.fill('#token', ADMIN_TOKEN);
    await Promise.all([page.waitForURL(`${h.url}/dashboard`), page.click('button[type="submit"]')]);
    await page.waitForSelector('#live[data-status="live"]', WAIT);
    for (const name of NAMES) {
      await page.waitForSelector(row(name), WAIT);
      assert.equal(await page.locator(`${row(name)} .acct-name`).textContent(), name);
      assert.equal(await page.locator(row(name)).getAttribute('data-state'), 'ok');
      assert.equal(await page.locator(`${row(name)} .state`).textContent(), 'ok');
    }
    assert.equal(await page.locator('#accounts tbody tr').count(), 3);
    assert.equal(await page.locator('#health').getAttribute('data-level'), 'ok');
    // Headroom bars: one per limit window, labelled remaining/limit.
    assert.match((await page.locator(`${row('alpha')} .meter[data-dim="rpm"] .meter-label`).textContent()) ?? '', /^rpm \d+\/60$/);
    assert.equal(await page.locator(`${row('bravo')} .model-line`).count(), 2);
    assert.equal(await page.locator('#batches-empty').isVisible(), true, 'the empty state of batches');
  });

  test('an account disabled through the admin API turns disabled live, and the event is listed', async () => {
    await page.evaluate('globalThis.sameDocument = true');
    await admin(h, '/accounts/bravo/disable', { method: 'POST' });
    await page.waitForSelector(`${row('bravo')}[data-state="disabled"]`, WAIT);
    assert.equal(await page.locator(`${row('bravo')} .state`).textContent(), 'disabled');
    await page.waitForSelector('#events li[data-type="account_disabled"]:has-text("bravo")', WAIT);
    await page.waitForSelector('#health[data-level="degraded"]', WAIT);
    assert.match((await page.locator('#health').textContent()) ?? '', /bravo/);
    assert.equal(await page.locator(`${row('alpha')}`).getAttribute('data-state'), 'ok', 'the others are untouched');

    await admin(h, '/accounts/bravo/enable', { method: 'POST' });
    await page.waitForSelector(`${row('bravo')}[data-state="ok"]`, WAIT);
    await page.waitForSelector('#events li:first-child[data-type="account_enabled"]', WAIT);
    assert.equal(await page.locator('#events li').nth(1).getAttribute('data-type'), 'account_disabled', 'newest first');
    assert.equal(await page.evaluate('globalThis.sameDocument'), true, 'the page was not reloaded');
  });

  test('requests through the gateway show in the throughput chart and in spend by client and model', async () => {
    const throughput = await chartId('throughput-chart');
    const errors = await chartId('errors-chart');
    assert.notEqual(throughput, undefined, 'the throughput chart exists');
    const sent = 12;
    for (let i = 0; i < sent; i++) {
      await h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hello ${i}` }], max_completion_tokens: 8 });
    }
    await page.waitForFunction(`Math.round(Chart.getChart('throughput-chart').data.datasets[0].data.reduce((s, v) => s + v, 0) * 10) >= ${sent}`, null, WAIT);
    assert.equal(await chartId('throughput-chart'), throughput, 'the chart is updated in place');
    assert.equal(await chartId('errors-chart'), errors);
    assert.equal(await page.evaluate(`Chart.getChart('errors-chart').data.datasets.length`), 3, '5xx, 429 and other 4xx');

    const requestsOf = (table: string, key: string): string => `#${table} tr[data-key="${key}"] td:nth-child(2)`;
    await page.waitForSelector(`${requestsOf('spend-clients', 'tester')}:text-is("${sent}")`, WAIT);
    await page.waitForSelector(`${requestsOf('spend-models', 'gpt-4o-mini')}:text-is("${sent}")`, WAIT);
    const usd = await page.locator('#spend-clients tr[data-key="tester"] td.usd').textContent();
    assert.match(usd ?? '', /^(\$\d[\d,]*\.\d{2}|\$0\.\d{4}|<\$0\.0001)$/);
  });

  test('a full-page screenshot is saved to test-artifacts/dashboard.png', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'dashboard.png');
    await page.waitForSelector('#live[data-status="live"]', WAIT);
    await page.screenshot({ path: file, fullPage: true });
    const png = readFileSync(file);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(png.length > 10_000, `a real picture (${png.length} bytes)`);
  });
});
