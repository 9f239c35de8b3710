/*
 * Sluice dashboard: reads `/dashboard/live` (server-sent events: one `snapshot` a second, each
 * `sluice-event` as it happens) and updates the page in place. No framework, no build step.
 * Every piece of data goes into the page as text (textContent, text nodes, attributes), never
 * as HTML. Rows are keyed (data-key) and reused, so bars animate and nothing flickers.
 */

const STEP_LABEL_EVERY_MS = 10 * 60 * 1000;
const STALE_AFTER_MS = 5000;
const MAX_EVENTS = 30;
const QUEUE_ORDER = ['high', 'normal', 'low'];

const $ = (id) => document.getElementById(id);

// ---------- small DOM helpers ----------

/** Creates an element; `props.text` sets textContent, `props.class` the class, others are attributes. */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null) continue;
    if (k === 'text') el.textContent = String(v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== undefined && c !== null) el.append(c);
  return el;
}

function setText(el, text) {
  const s = String(text);
  if (el.textContent !== s) el.textContent = s;
}

function setAttr(el, name, value) {
  const s = String(value);
  if (el.getAttribute(name) !== s) el.setAttribute(name, s);
}

/**
 * Makes `container`'s children match `items`, in order: a child per key (data-key), created
 * once by `create(item)`, refreshed by `update(node, item)` on every call, removed when gone.
 */
function sync(container, items, keyOf, create, update) {
  const old = new Map();
  for (const child of container.children) old.set(child.dataset.key, child);
  let prev = null;
  for (const item of items) {
    const key = keyOf(item);
    let node = old.get(key);
    if (node) old.delete(key);
    else {
      node = create(item);
      node.dataset.key = key;
    }
    update(node, item);
    const want = prev ? prev.nextElementSibling : container.firstElementChild;
    if (node !== want) container.insertBefore(node, want);
    prev = node;
  }
  for (const node of old.values()) node.remove();
}

/** Shows `emptyEl` instead of the list when there is nothing to list. */
function toggleEmpty(listEl, emptyEl, isEmpty) {
  listEl.hidden = isEmpty;
  emptyEl.hidden = !isEmpty;
}

// ---------- formatting ----------

const intFmt = new Intl.NumberFormat('en-US');
const compactFmt = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const rateFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

const fmtInt = (n) => intFmt.format(n);
const fmtCompact = (n) => (Math.abs(n) < 10000 ? intFmt.format(Math.round(n)) : compactFmt.format(n).toLowerCase());

/** Dollars to the cent, or to 4 decimals below $1 (one image costs cents, one chat call less). */
function fmtUsd(usd) {
  if (usd === 0) return '$0.00';
  if (usd >= 1) return '$' + usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (usd < 0.00005) return '<$0.0001';
  return '$' + usd.toFixed(4);
}

function fmtMs(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

function fmtPct(ratio, digits = 0) {
  if (ratio === null || ratio === undefined) return '—';
  return `${(ratio * 100).toFixed(digits)}%`;
}

function fmtBytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

function fmtDuration(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const pad2 = (n) => String(n).padStart(2, '0');
const clock = (ms, seconds = true) => {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}${seconds ? ':' + pad2(d.getSeconds()) : ''}`;
};

// ---------- tones ----------

const STATE_TONE = { ok: 'ok', cooling: 'warn', half_open: 'warn', circuit_open: 'bad', disabled: 'off' };
const STATE_TEXT = { ok: 'ok', cooling: 'cooling', half_open: 'half-open', circuit_open: 'circuit open', disabled: 'disabled' };

function eventTone(type) {
  if (type === 'account_disabled' || type === 'circuit_opened') return 'bad';
  if (type === 'budget_threshold' || type === 'account_rate_limited') return 'warn';
  if (type.endsWith('_enabled') || type === 'circuit_closed') return 'ok';
  return 'info';
}

/** A headroom bar's colour: plenty, getting low, nearly none. */
function headroomLevel(ratio) {
  if (ratio >= 0.5) return 'ok';
  if (ratio >= 0.2) return 'warn';
  return 'low';
}

// ---------- state ----------

/** Server time minus local time, so countdowns follow the gateway's clock. */
let clockOffset = 0;
let lastSnapshotAt = 0;
/** Events received live and not yet part of a snapshot. */
let liveEvents = [];
let snapshotEvents = [];

// ---------- health, live indicator ----------

function renderHealth(health) {
  const root = $('health');
  setAttr(root, 'data-level', health.level);
  setText(root.querySelector('.health-badge'), health.level);
  const reasons = health.reasons.length ? health.reasons : [health.level === 'ok' ? 'Every account is serving; errors are normal.' : ''];
  sync(
    root.querySelector('.health-reasons'),
    reasons,
    (r) => r,
    (r) => h('li', { text: r, title: r }),
    () => {},
  );
  document.title = `${health.level === 'ok' ? 'OK' : health.level.toUpperCase()} · Sluice dashboard`;
}

function setLive(status) {
  const el = $('live');
  setAttr(el, 'data-status', status);
  setText(el.querySelector('.live-text'), { live: 'Live', reconnecting: 'Reconnecting…', connecting: 'Connecting…' }[status]);
}

// ---------- accounts ----------

function createAccountRow() {
  return h(
    'tr',
    null,
    h('td', null, h('div', { class: 'acct-name' }), h('div', { class: 'sub acct-sub' })),
    h('td', null, h('span', { class: 'badge state' }), h('div', { class: 'sub reason' })),
    h('td', { class: 'num inflight' }),
    h('td', { class: 'num success' }),
    h('td', { class: 'num latency' }),
    h('td', { class: 'models' }, h('div', { class: 'model-lines' }), h('div', { class: 'sub unlimited' })),
  );
}

function updateAccountRow(tr, a) {
  setAttr(tr, 'data-account', a.name);
  setAttr(tr, 'data-state', a.state);
  const [nameCell, stateCell, inflight, success, latency, models] = tr.children;
  setText(nameCell.firstChild, a.name);
  setText(nameCell.lastChild, `${a.group} · ${a.provider}`);
  setAttr(nameCell, 'title', `${a.name}: group ${a.group}, provider ${a.provider}`);
  const badge = stateCell.firstChild;
  setText(badge, STATE_TEXT[a.state] ?? a.state);
  setAttr(badge, 'data-tone', STATE_TONE[a.state] ?? 'off');
  const reason = a.state === 'disabled' ? (a.disabledReason ?? '') : a.state === 'circuit_open' || a.state === 'half_open' ? `circuit ${a.circuit}` : '';
  setText(stateCell.lastChild, reason);
  setAttr(stateCell.lastChild, 'title', reason);
  stateCell.lastChild.hidden = reason === '';
  setText(inflight, a.maxConcurrent ? `${a.inFlight}/${a.maxConcurrent}` : a.inFlight);
  setText(success, fmtPct(a.successRate, a.successRate !== null && a.successRate < 1 && a.successRate > 0.99 ? 1 : 0));
  success.classList.toggle('errors-nonzero', a.successRate !== null && a.successRate < 0.9);
  setText(latency, fmtMs(a.latencyMsP50));
  // Models with limits get headroom bars; the others (no limit configured or learned yet) one line.
  const limited = a.models.filter((m) => m.limits.length > 0 || m.cooldownUntil);
  const open = a.models.filter((m) => !limited.includes(m)).map((m) => m.model);
  sync(models.firstChild, limited, (m) => m.model, createModelLine, updateModelLine);
  const rest = open.length ? `no limits known: ${open.join(', ')}` : '';
  setText(models.lastChild, rest);
  setAttr(models.lastChild, 'title', rest);
  models.lastChild.hidden = rest === '';
}

function createModelLine() {
  return h('div', { class: 'model-line' }, h('span', { class: 'model-name mono' }), h('span', { class: 'meters' }), h('span', { class: 'badge cooldown', 'data-tone': 'warn' }));
}

function updateModelLine(line, m) {
  const [name, meters, cooldown] = line.children;
  setText(name, m.model);
  setAttr(name, 'title', m.model);
  setAttr(line, 'data-model', m.model);
  sync(meters, m.limits, (l) => l.dim, createMeter, updateMeter);
  if (m.cooldownUntil) {
    setAttr(cooldown, 'data-until', Date.parse(m.cooldownUntil));
    cooldown.hidden = false;
    tickCountdown(cooldown);
  } else {
    cooldown.removeAttribute('data-until');
    cooldown.hidden = true;
  }
}

function createMeter() {
  return h('span', { class: 'meter' }, h('span', { class: 'meter-label' }), h('span', { class: 'bar' }, h('span', { class: 'bar-fill' })));
}

/** One limit window: the bar is what is left (remaining / limit), the label says it in numbers. */
function updateMeter(meter, l) {
  const ratio = l.limit > 0 ? Math.max(0, Math.min(1, l.remaining / l.limit)) : 0;
  setAttr(meter, 'data-dim', l.dim);
  setAttr(meter, 'data-level', headroomLevel(ratio));
  setAttr(meter, 'title', `${l.dim}: ${fmtInt(l.remaining)} of ${fmtInt(l.limit)} left (${fmtInt(l.used)} used)`);
  setText(meter.firstChild, `${l.dim} ${fmtCompact(l.remaining)}/${fmtCompact(l.limit)}`);
  meter.lastChild.firstChild.style.width = `${(ratio * 100).toFixed(1)}%`;
}

function tickCountdown(el) {
  const until = Number(el.getAttribute('data-until'));
  const left = until - (Date.now() + clockOffset);
  setText(el, left > 0 ? `cooling ${fmtDuration(left)}` : 'cooldown over');
}

function renderAccounts(accounts) {
  const tbody = $('accounts').tBodies[0];
  sync(tbody, accounts, (a) => a.name, createAccountRow, updateAccountRow);
  toggleEmpty($('accounts'), $('accounts-empty'), accounts.length === 0);
  const serving = accounts.filter((a) => a.state !== 'disabled' && a.state !== 'circuit_open').length;
  const inFlight = accounts.reduce((s, a) => s + a.inFlight, 0);
  setText($('accounts-meta'), `${serving} of ${accounts.length} serving · ${fmtInt(inFlight)} in flight`);
}

// ---------- queue and cache ----------

function renderQueue(queue) {
  const names = [...QUEUE_ORDER.filter((p) => p in queue), ...Object.keys(queue).filter((p) => !QUEUE_ORDER.includes(p))];
  const rows = names.map((p) => ({ priority: p, waiting: queue[p] }));
  const total = rows.reduce((s, r) => s + r.waiting, 0);
  const scale = Math.max(10, ...rows.map((r) => r.waiting));
  sync(
    $('queue'),
    rows,
    (r) => r.priority,
    (r) =>
      h(
        'div',
        { class: 'queue-row', 'data-priority': r.priority },
        h('span', { class: 'queue-label', text: r.priority }),
        h('span', { class: 'bar' }, h('span', { class: 'bar-fill' })),
        h('span', { class: 'queue-count' }),
      ),
    (row, r) => {
      setAttr(row, 'data-waiting', r.waiting);
      row.children[1].firstChild.style.width = `${((r.waiting / scale) * 100).toFixed(1)}%`;
      setText(row.children[2], fmtInt(r.waiting));
    },
  );
  setText($('queue-meta'), total === 0 ? 'nothing waiting' : `${fmtInt(total)} waiting`);
}

function renderCache(c) {
  const lookups = c.hits + c.misses;
  const stats = [
    ['Hit rate', lookups ? fmtPct(c.hits / lookups, 1) : '—', `${fmtInt(c.hits)} hits, ${fmtInt(c.misses)} misses`],
    ['Coalesced', fmtCompact(c.coalesced), 'identical requests that shared one upstream call'],
    ['Entries', fmtCompact(c.entries), `${fmtInt(c.entries)} cached answers`],
    ['Size', fmtBytes(c.bytes), `${fmtInt(c.bytes)} bytes`],
  ];
  sync(
    $('cache'),
    stats,
    ([k]) => k,
    ([k]) => h('div', null, h('dt', { text: k }), h('dd')),
    (div, [, v, title]) => {
      setText(div.lastChild, v);
      setAttr(div, 'title', title);
    },
  );
}

// ---------- charts ----------

const charts = { throughput: null, errors: null, start: 0, stepMs: 10000 };

function chartOptions(stacked) {
  const tickLabel = (_value, index) => {
    const t = charts.start + index * charts.stepMs;
    return t % STEP_LABEL_EVERY_MS === 0 ? clock(t, false) : null;
  };
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: 'index', intersect: false },
    plugins: {
      legend: { display: stacked, position: 'top', align: 'end', labels: { boxWidth: 10, boxHeight: 10, padding: 8 } },
      tooltip: {
        callbacks: {
          title: (items) => (items.length ? `${items[0].label} (10 s)` : ''),
          label: (item) => `${item.dataset.label}: ${rateFmt.format(item.parsed.y)}/s`,
        },
      },
    },
    scales: {
      x: { stacked, grid: { display: false }, ticks: { autoSkip: false, maxRotation: 0, callback: tickLabel } },
      y: { stacked, beginAtZero: true, suggestedMax: 1, ticks: { maxTicksLimit: 5, callback: (v) => `${rateFmt.format(v)}/s` }, grid: { color: '#eef1f5' } },
    },
    elements: { point: { radius: 0, hoverRadius: 3 }, line: { borderWidth: 1.5, tension: 0.25 } },
  };
}

function dataset(label, color, fill, hideZero = false) {
  const d = { label, data: [], borderColor: color, backgroundColor: `${color}33`, fill, pointHoverBackgroundColor: color };
  // Error lines vanish where there are no errors: a red line along zero would look like trouble.
  if (hideZero) d.segment = { borderColor: (ctx) => (ctx.p0.parsed.y === 0 && ctx.p1.parsed.y === 0 ? 'transparent' : undefined) };
  return d;
}

function createCharts() {
  if (typeof Chart === 'undefined') return;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 11;
  Chart.defaults.color = '#667085';
  charts.throughput = new Chart($('throughput-chart'), {
    type: 'line',
    data: { labels: [], datasets: [dataset('Requests', '#2563eb', 'origin')] },
    options: chartOptions(false),
  });
  charts.errors = new Chart($('errors-chart'), {
    type: 'line',
    data: { labels: [], datasets: [dataset('5xx', '#ef4444', 'origin', true), dataset('429', '#f59e0b', '-1', true), dataset('other 4xx', '#8b5cf6', '-1', true)] },
    options: chartOptions(true),
  });
}

const sum = (xs) => xs.reduce((s, x) => s + x, 0);

/** Per-second rates from the 10-s buckets, drawn into the existing charts (no re-creation). */
function renderSeries(series) {
  const step = series.stepSeconds;
  charts.start = series.start;
  charts.stepMs = step * 1000;
  const labels = series.requests.map((_, i) => clock(series.start + i * step * 1000));
  const perSecond = (xs) => xs.map((x) => x / step);
  const reqs = series.requests;
  const lastMinute = sum(reqs.slice(-6)) / 60;
  $('throughput-meta').replaceChildren(h('strong', { text: rateFmt.format(lastMinute) }), ` req/s (1 min) · ${fmtInt(sum(reqs))} in 1 h`);
  const recent = sum(reqs.slice(-30));
  const share = (xs) => {
    const r = recent ? sum(xs.slice(-30)) / recent : 0;
    return fmtPct(r, r > 0 && r < 0.1 ? 1 : 0);
  };
  setText($('errors-meta'), `5 min: 5xx ${share(series.serverErrors)} · 429 ${share(series.rateLimited)} · 4xx ${share(series.clientErrors)}`);
  setAttr($('errors-meta'), 'title', 'Share of requests in the last 5 minutes');
  const canvas = $('throughput-chart');
  setAttr(canvas, 'data-requests', sum(reqs));
  setAttr($('errors-chart'), 'data-errors', sum(series.serverErrors) + sum(series.rateLimited) + sum(series.clientErrors));
  if (!charts.throughput) return;
  charts.throughput.data.labels = labels;
  charts.throughput.data.datasets[0].data = perSecond(reqs);
  charts.throughput.update('none');
  charts.errors.data.labels = labels;
  charts.errors.data.datasets[0].data = perSecond(series.serverErrors);
  charts.errors.data.datasets[1].data = perSecond(series.rateLimited);
  charts.errors.data.datasets[2].data = perSecond(series.clientErrors);
  charts.errors.update('none');
}

// ---------- spend ----------

function renderSpendTable(table, rows, thirdColumn) {
  sync(
    table.tBodies[0],
    rows,
    (r) => r.key,
    () => h('tr', null, h('td'), h('td', { class: 'num' }), h('td', { class: 'num' }), h('td', { class: 'num usd' })),
    (tr, r) => {
      setAttr(tr, 'data-key', r.key);
      const [name, requests, third, usd] = tr.children;
      setText(name, r.key);
      setAttr(name, 'title', r.key);
      setText(requests, fmtInt(r.requests));
      setText(third, fmtInt(r[thirdColumn]));
      third.classList.toggle('errors-nonzero', thirdColumn === 'errors' && r.errors > 0);
      setText(usd, fmtUsd(r.usd));
    },
  );
  toggleEmpty(table, table.nextElementSibling, rows.length === 0);
}

function renderSpend(spend) {
  if (!spend) return;
  renderSpendTable($('spend-clients'), spend.byClient, 'errors');
  renderSpendTable($('spend-models'), spend.byModel, 'images');
  $('spend-meta').replaceChildren(h('strong', { text: fmtUsd(spend.totalUsd) }), ` · ${fmtInt(spend.requests)} requests`);
}

// ---------- batches ----------

function createBatch() {
  return h(
    'div',
    { class: 'batch' },
    h('div', { class: 'batch-head' }, h('span', { class: 'batch-id mono' }), h('span', { class: 'badge' })),
    h('span', { class: 'bar' }, h('span', { class: 'bar-fill' }), h('span', { class: 'bar-fill bar-failed' })),
    h('div', { class: 'batch-foot sub' }, h('span'), h('span')),
  );
}

function updateBatch(div, b) {
  const [head, bar, foot] = div.children;
  const done = b.completed + b.failed;
  const pct = (n) => (b.total ? `${((n / b.total) * 100).toFixed(1)}%` : '0%');
  setAttr(div, 'data-batch', b.id);
  setAttr(div, 'data-status', b.status);
  setAttr(div, 'data-done', done);
  setText(head.firstChild, b.id);
  setAttr(head.firstChild, 'title', `${b.id} · created ${new Date(b.createdAt).toLocaleString()}`);
  setText(head.lastChild, b.status.replace(/_/g, ' '));
  setAttr(head.lastChild, 'data-tone', b.status === 'in_progress' ? 'info' : b.status === 'failed' ? 'bad' : 'off');
  bar.firstChild.style.width = pct(b.completed);
  bar.lastChild.style.width = pct(b.failed);
  setText(foot.firstChild, `${b.owner} · ${b.endpoint.replace(/^\/v1\//, '')}`);
  setText(foot.lastChild, `${fmtInt(done)}/${fmtInt(b.total)}${b.failed ? ` (${fmtInt(b.failed)} failed)` : ''} · ${pct(done)}`);
}

function renderBatches(batches) {
  if (!batches) return;
  sync($('batches'), batches, (b) => b.id, createBatch, updateBatch);
  toggleEmpty($('batches'), $('batches-empty'), batches.length === 0);
  const lines = batches.reduce((s, b) => s + b.pending, 0);
  setText($('batches-meta'), batches.length ? `${batches.length} running · ${fmtInt(lines)} lines pending` : '');
}

// ---------- events ----------

const eventKey = (e) => [e.time, e.type, e.account ?? '', e.model ?? '', e.client ?? '', e.message].join('|');

function createEvent(e) {
  return h('li', { 'data-type': e.type }, h('time', { datetime: e.time, title: e.time, text: clock(Date.parse(e.time)) }), h('span', { class: 'badge', 'data-tone': eventTone(e.type), text: e.type.replace(/_/g, ' ') }), h('span', { class: 'event-msg', text: e.message }));
}

/** Snapshot events plus live ones the snapshot does not have yet, newest first. */
function renderEvents(fresh) {
  const known = new Set(snapshotEvents.map(eventKey));
  liveEvents = liveEvents.filter((e) => !known.has(eventKey(e)));
  const all = [...liveEvents, ...snapshotEvents].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0)).slice(0, MAX_EVENTS);
  sync($('events'), all, eventKey, createEvent, (li, e) => {
    if (fresh && eventKey(e) === fresh) li.classList.add('fresh');
  });
  toggleEmpty($('events'), $('events-empty'), all.length === 0);
  setText($('events-meta'), all.length ? `${all.length} shown` : '');
}

function onLiveEvent(e) {
  liveEvents.unshift(e);
  renderEvents(eventKey(e));
}

// ---------- the snapshot ----------

function render(s) {
  clockOffset = Date.parse(s.time) - Date.now();
  renderHealth(s.health);
  renderAccounts(s.accounts);
  renderQueue(s.queue);
  renderCache(s.cache);
  renderSeries(s.series);
  renderSpend(s.spendToday);
  renderBatches(s.batches);
  snapshotEvents = s.events;
  renderEvents(null);
  setText($('updated'), `updated ${clock(Date.parse(s.time))}`);
  setAttr($('updated'), 'title', s.time);
}

// ---------- the live connection ----------

let source = null;

function connect() {
  setLive(lastSnapshotAt ? 'reconnecting' : 'connecting');
  const es = new EventSource('/dashboard/live');
  source = es;
  es.addEventListener('snapshot', (m) => {
    lastSnapshotAt = Date.now();
    setLive('live');
    try {
      render(JSON.parse(m.data));
    } catch (err) {
      console.error('dashboard: could not render a snapshot', err);
    }
  });
  es.addEventListener('sluice-event', (m) => {
    try {
      onLiveEvent(JSON.parse(m.data));
    } catch (err) {
      console.error('dashboard: could not show an event', err);
    }
  });
  es.addEventListener('error', () => {
    setLive('reconnecting');
    // CONNECTING: the browser retries by itself. CLOSED: the answer was not a stream (signed
    // out, or the gateway restarted with another token): find out which, then retry.
    if (es.readyState === EventSource.CLOSED && source === es) {
      source = null;
      recheck();
    }
  });
}

async function recheck() {
  try {
    const res = await fetch('/dashboard/snapshot', { cache: 'no-store' });
    if (res.status === 401 || res.status === 403) {
      location.assign('/dashboard');
      return;
    }
  } catch {
    // The gateway is not reachable: keep trying.
  }
  setTimeout(connect, 3000);
}

/** Once a second: countdowns, and a stream that has gone quiet shows as reconnecting. */
function tick() {
  for (const el of document.querySelectorAll('.cooldown[data-until]')) tickCountdown(el);
  if (lastSnapshotAt && Date.now() - lastSnapshotAt > STALE_AFTER_MS) setLive('reconnecting');
}

createCharts();
connect();
setInterval(tick, 1000);
