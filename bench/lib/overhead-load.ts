/**
 * The measuring side of `npm run bench:overhead` and `bench:soak`: wrk at saturation, a
 * one-at-a-time client, an open-loop client at a fixed rate, time to first byte of streams,
 * and the CPU time and RSS of a process tree read from /proc. Times are real milliseconds.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Pool } from 'undici';

/** One kind of request sent to every target: the path, headers and JSON body. */
export interface Shot {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

const TICKS_PER_S = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in these

/** The pid and every descendant's (nginx's master and worker; taskset execs in place). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const t of readdirSync(`/proc/${out[i]}/task`)) {
        const kids = readFileSync(`/proc/${out[i]}/task/${t}/children`, 'utf8').trim();
        if (kids) out.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      // gone
    }
  }
  return out;
}

/** utime + stime of the tree, in µs. */
export function cpuMicros(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // fields 14 and 15 of stat(5)
    } catch {
      // gone
    }
  }
  return (ticks / TICKS_PER_S) * 1e6;
}

/** Resident set size of the tree, in MB. */
export function rssMb(pid: number): number {
  let kb = 0;
  for (const p of processTree(pid)) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return kb / 1024;
}

export interface WrkResult {
  rps: number;
  requests: number;
  errors: number;
  /** CPU µs per request of the watched process tree over the run (NaN without one). */
  cpuPerReq: number;
}

/** `wrk -t1 -c<connections> -d<seconds>s`, pinned to `core`, while watching `pid`'s CPU. */
export async function wrk(shot: Shot, o: { seconds: number; connections: number; core: number; pid?: number; dir: string }): Promise<WrkResult> {
  const lua = join(o.dir, 'shot.lua');
  const hdrs = Object.entries({ ...shot.headers, 'content-type': 'application/json' })
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join('\n');
  writeFileSync(lua, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(shot.body)}\n${hdrs}\n`);
  const cpu0 = o.pid ? cpuMicros(o.pid) : 0;
  const args = ['-c', String(o.core), 'wrk', '-t1', `-c${o.connections}`, `-d${o.seconds}s`, '--latency', '-s', lua, `${shot.origin}${shot.path}`];
  const text = await new Promise<string>((resolve, reject) => {
    const child = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
  const cpu = o.pid ? cpuMicros(o.pid) - cpu0 : Number.NaN;
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? 0);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? 0);
  const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0) + (/Socket errors: .*/.exec(text) ? 1 : 0);
  if (requests === 0) throw new Error(`wrk measured nothing:\n${text}`);
  return { rps, requests, errors, cpuPerReq: cpu / requests };
}

/** `n` requests one after another on one connection; returns each latency (ms). */
export async function oneAtATime(shot: Shot, n: number): Promise<number[]> {
  const client = new Client(shot.origin, { keepAliveTimeout: 60_000 });
  const out: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const res = await client.request({ method: 'POST', path: shot.path, headers: { ...shot.headers, 'content-type': 'application/json' }, body: shot.body });
      await res.body.arrayBuffer();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
      out.push(performance.now() - t0);
    }
  } finally {
    await client.close();
  }
  return out;
}

/** Streams one at a time: ms from sending to the first body byte, and to the end. */
export async function streamTimes(shot: Shot, n: number): Promise<{ ttfb: number[]; total: number[] }> {
  const client = new Client(shot.origin, { keepAliveTimeout: 60_000 });
  const ttfb: number[] = [];
  const total: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const res = await client.request({ method: 'POST', path: shot.path, headers: { ...shot.headers, 'content-type': 'application/json' }, body: shot.body });
      let first = -1;
      let text = '';
      for await (const c of res.body) {
        if (first < 0) first = performance.now() - t0;
        text += c;
      }
      if (res.statusCode !== 200 || !text.includes('[DONE]')) throw new Error(`bad stream (${res.statusCode}): ${text.slice(0, 200)}`);
      ttfb.push(first);
      total.push(performance.now() - t0);
    }
  } finally {
    await client.close();
  }
  return { ttfb, total };
}

/**
 * Open loop: `rate` requests a second for `seconds`, each sent when due whether or not the
 * earlier ones are back (up to 1,024 connections); latency counts from the moment it was sent.
 */
export async function fixedRate(shot: Shot, rate: number, seconds: number): Promise<{ lat: number[]; errors: number }> {
  const pool = new Pool(shot.origin, { connections: 1024, keepAliveTimeout: 60_000 });
  const lat: number[] = [];
  let errors = 0;
  const inflight = new Set<Promise<void>>();
  const fire = (): void => {
    const t0 = performance.now();
    const p = pool
      .request({ method: 'POST', path: shot.path, headers: { ...shot.headers, 'content-type': 'application/json' }, body: shot.body })
      .then(async (res) => {
        await res.body.arrayBuffer();
        if (res.statusCode === 200) lat.push(performance.now() - t0);
        else errors++;
      })
      .catch(() => {
        errors++;
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };
  const start = performance.now();
  const total = Math.round(rate * seconds);
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    while (sent < due) {
      fire();
      sent++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  await pool.close();
  return { lat, errors };
}
