/**
 * `npm run bench:soak`: Sluice (`sluice serve`, full path, log level info, pinned to core 0)
 * against the mock upstream of bench:overhead at a steady rate — JSON answers and streams
 * against the 50 ms upstream, open loop — for 10 minutes. Every 5 s it samples the gateway's
 * RSS (/proc) and V8 heap (`nodejs_heap_size_used_bytes` from `GET /metrics`) and reports the
 * growth after warm-up (the first fifth of the run, at least 30 s): flat is good. A sampled heap
 * saws up and down between collections, so what tells a leak is the heap right after each full
 * (mark-compact) collection, which V8 itself prints: the gateway runs with `--trace-gc`, and
 * the "after" size of every Mark-Compact line in its log is taken, without disturbing it. The
 * mean of the first third of those after warm-up is compared with the mean of the last third.
 * Writes the `## bench:soak` section of docs/BENCHMARKS.md.
 *
 * Flags: --seconds N (600), --rate N (JSON req/s, 600; streams at a quarter of it), --no-write.
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine } from './lib/doc.ts';
import { replaceSection } from './lib/doc-section.ts';
import { fixedRate, rssMb, type Shot } from './lib/overhead-load.ts';
import { percentile } from './lib/stats.ts';
import { ADMIN_TOKEN, startMock, startSluice } from './lib/overhead-targets.ts';

const SAMPLE_MS = 5000;
const SLOW = JSON.stringify({ model: 'slow-model', messages: [{ role: 'user', content: 'Describe a lightweight running shoe in one sentence.' }], max_tokens: 40 });
const SLOW_STREAM = JSON.stringify({ ...JSON.parse(SLOW), stream: true });

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Sample {
  s: number;
  rssMb: number;
  heapMb: number;
}

async function heapMb(origin: string): Promise<number> {
  const text = await fetch(`${origin}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).then((r) => r.text());
  return Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? Number.NaN) / 2 ** 20;
}

/** How long ago the process started, in seconds (/proc: its start and the uptime, in clock ticks of 1/100 s). */
function ageS(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const started = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]) / 100; // field 22 of stat(5)
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) - started;
}

/** The full (mark-compact) collections in a `--trace-gc` log: when (ms since the process started) and the heap left after. */
function fullCollections(log: string): Array<{ ms: number; afterMb: number }> {
  const out: Array<{ ms: number; afterMb: number }> = [];
  for (const m of log.matchAll(/\]\s+(\d+) ms: Mark-Compact [\d.]+ \([\d.]+\) -> ([\d.]+) \(/g)) out.push({ ms: Number(m[1]), afterMb: Number(m[2]) });
  return out;
}

/** Least-squares slope of y over x (MB per second). */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<void> {
  const seconds = flag('--seconds', 600);
  const rate = flag('--rate', 600);
  const write = !process.argv.includes('--no-write');
  const hard = setTimeout(() => {
    console.error('bench:soak: hard timeout');
    process.exit(1);
  }, (seconds + 120) * 1000);
  const host = machine(); // before pinning: pinned, Node would see one core
  execSync(`taskset -pc 1 ${process.pid}`, { stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-soak-'));
  const mock = await startMock(1, dir);
  const sluice = await startSluice(0, dir, mock.origin, 'info', undefined, ['--trace-gc']);
  const samples: Sample[] = [];
  const t0 = performance.now();
  const launchS = ageS(sluice.pid); // V8's trace-gc clock starts with the process
  const sample = async (): Promise<void> => {
    const s = { s: (performance.now() - t0) / 1000, rssMb: rssMb(sluice.pid), heapMb: await heapMb(sluice.origin) };
    samples.push(s);
    console.log(`  ${s.s.toFixed(0).padStart(4)} s  RSS ${s.rssMb.toFixed(1)} MB  heap ${s.heapMb.toFixed(1)} MB`);
  };
  try {
    await sample();
    const timer = setInterval(() => void sample(), SAMPLE_MS);
    const shot = (body: string): Shot => ({ origin: sluice.origin, path: '/v1/chat/completions', headers: sluice.headers, body });
    console.log(`soak: ${rate} JSON + ${Math.round(rate / 4)} stream req/s for ${seconds} s through Sluice (50 ms upstream)`);
    const [json, streams] = await Promise.all([fixedRate(shot(SLOW), rate, seconds), fixedRate(shot(SLOW_STREAM), Math.round(rate / 4), seconds)]);
    clearInterval(timer);
    await sample();
    const warm = Math.max(30, seconds / 5);
    const after = samples.filter((s) => s.s >= warm);
    const first = after[0];
    const last = after[after.length - 1];
    const perMin = (k: 'rssMb' | 'heapMb'): number => slope(after.map((s) => s.s), after.map((s) => s[k])) * 60;
    // Floors: the heap after each full collection, as V8 reports it (`--trace-gc`), from the
    // end of the warm-up to the end of the load. "[pid:0x…]  12345 ms: Mark-Compact 103.6 (215.5) -> 25.4 (174.3) MB"
    const fulls = fullCollections(readFileSync(sluice.log, 'utf8'));
    const floors = fulls.filter((c) => c.ms / 1000 >= warm + launchS && c.ms / 1000 <= seconds + launchS).map((c) => c.afterMb);
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    const third = Math.floor(floors.length / 3);
    const early = mean(floors.slice(0, third));
    const late = mean(floors.slice(floors.length - third));
    const verdict =
      third < 2
        ? `inconclusive: ${floors.length} full collection(s) after warm-up, too few to tell a trend (run longer)`
        : late - early <= Math.max(5, early * 0.1)
          ? `✅ flat: after a full collection the heap averaged ${early.toFixed(1)} MB over the first ${third} and ${late.toFixed(1)} MB over the last ${third} (${floors.length} after warm-up)`
          : `❌ growing: after a full collection the heap averaged ${early.toFixed(1)} MB over the first ${third} and ${late.toFixed(1)} MB over the last ${third} (${floors.length} after warm-up)`;
    const rows: Array<[string, string]> = [
      ['requests answered (JSON / streams)', `${json.lat.length} / ${streams.lat.length}`],
      ['errors (JSON / streams)', `${json.errors} / ${streams.errors}`],
      ['latency p50 / p99 (JSON, 50 ms upstream)', `${(percentile(json.lat, 50) ?? 0).toFixed(2)} / ${(percentile(json.lat, 99) ?? 0).toFixed(2)} ms`],
      ['RSS at start / after warm-up / end', `${samples[0].rssMb.toFixed(1)} / ${first.rssMb.toFixed(1)} / ${last.rssMb.toFixed(1)} MB`],
      ['RSS growth after warm-up (end − warm, trend)', `${(last.rssMb - first.rssMb).toFixed(1)} MB, ${perMin('rssMb').toFixed(2)} MB/min`],
      ['heap used after warm-up / end (min–max)', `${first.heapMb.toFixed(1)} / ${last.heapMb.toFixed(1)} MB (${Math.min(...after.map((s) => s.heapMb)).toFixed(1)}–${Math.max(...after.map((s) => s.heapMb)).toFixed(1)})`],
      ['heap after each full collection (V8 --trace-gc, after warm-up)', floors.length ? `${floors.map((f) => f.toFixed(0)).join(' → ')} MB` : 'none seen'],
      ['heap trend after warm-up (all samples, saw-toothed by GC)', `${perMin('heapMb').toFixed(2)} MB/min`],
      ['verdict', verdict],
    ];
    const table = ['| measure | value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
    console.log(`\n${table}`);
    if (write) {
      const cmd = `npm run bench:soak${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
      replaceSection(
        'docs/BENCHMARKS.md',
        '## bench:soak',
        `## bench:soak\n\nGenerated by \`${cmd}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; the next run replaces this section.\n\n- **Machine**: ${host}. Sluice (\`sluice serve\`, log level info, SQLite ledger, metrics, cache off) under \`taskset -c 0\`; the mock upstream of bench:overhead and the load under \`taskset -c 1\`.\n- **Load**: open loop, ${rate} JSON req/s + ${Math.round(rate / 4)} streams/s against the 50 ms upstream, ${seconds} s; RSS from /proc and \`nodejs_heap_size_used_bytes\` every ${SAMPLE_MS / 1000} s; warm-up = the first ${warm.toFixed(0)} s. Trend = least-squares slope of the samples after warm-up. RSS is what V8 has taken from the OS (it grows its old space before a major collection and keeps the pages), so the heap after each full collection (from V8's \`--trace-gc\` lines in the gateway's log), not RSS, is what shows a leak.\n\n${table}\n`,
      );
      console.log('\nwrote the "## bench:soak" section of docs/BENCHMARKS.md');
    }
  } finally {
    await sluice.stop();
    await mock.stop();
    clearTimeout(hard);
  }
}

await main();
