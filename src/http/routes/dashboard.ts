import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse as parseForm } from 'node:querystring';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.ts';
import type { HttpDeps } from '../context.ts';
import { SnapshotBuilder } from '../dashboard-snapshot.ts';
import { checkAdmin, sameSecret, sessionValue } from './admin-auth.ts';

const COOKIE = 'sluice_dashboard';
const SESSION_SECONDS = 12 * 3600;
/** How often every open dashboard gets a fresh snapshot. */
const REFRESH_MS = 1000;

const here = dirname(new URL(import.meta.url).pathname);
const page = (name: string): string => readFileSync(join(here, '..', 'dashboard', name), 'utf8');
/** Chart.js's self-contained UMD build: served as is, so the dashboard needs no build step and no CDN. */
const chartJsPath = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cookieValue(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** True for `Authorization: Bearer <adminToken>` or the session cookie the login form sets. */
function authorized(req: FastifyRequest, token: string | undefined): boolean {
  if (!token) return false;
  const cookie = cookieValue(req, COOKIE);
  if (cookie !== undefined) return sameSecret(cookie, sessionValue(token));
  try {
    checkAdmin(req, token);
    return true;
  } catch {
    return false;
  }
}

/**
 * `/dashboard`: the live operator page, behind the admin token. A browser signs in once through
 * a form (the cookie holds an HMAC of the token, HttpOnly, SameSite=Strict); scripts may send
 * the bearer token instead. The page reads `/dashboard/live`, a server-sent event stream with
 * one snapshot per second and each operator event as it happens.
 */
export function registerDashboardRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const token = deps.config.adminToken;
  const files = {
    index: page('index.html'),
    login: page('login.html'),
    js: page('dashboard.js'),
    css: page('dashboard.css'),
  };
  const loginPage = (error: string): string => files.login.replace('<!--error-->', escapeHtml(error));
  const builder = new SnapshotBuilder(deps);
  const live = new Set<ServerResponse>();
  let timer: NodeJS.Timeout | undefined;

  const broadcast = (event: string, data: unknown): void => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of live) res.write(frame);
  };
  const tick = (): void => {
    builder.build().then(
      (s) => broadcast('snapshot', s),
      (err: unknown) => app.log.warn({ err: String(err) }, 'dashboard snapshot failed'),
    );
  };
  deps.events.subscribe((e) => {
    if (live.size > 0) broadcast('sluice-event', e);
  });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => done(null, parseForm(body as string)));
  app.addHook('preClose', async () => {
    clearInterval(timer);
    for (const res of live) res.end();
    live.clear();
  });

  const html = (reply: FastifyReply, status: number, body: string): FastifyReply =>
    reply.code(status).header('cache-control', 'no-store').header('x-frame-options', 'DENY').type('text/html; charset=utf-8').send(body);

  app.get('/dashboard', async (req, reply) => {
    if (!token) return html(reply, 403, loginPage('The dashboard is off: set adminToken in the config.'));
    if (!authorized(req, token)) return html(reply, 401, loginPage(''));
    return html(reply, 200, files.index);
  });

  app.post<{ Body: Record<string, unknown> }>('/dashboard/login', async (req, reply) => {
    const given = typeof req.body?.token === 'string' ? req.body.token : '';
    if (!token || !sameSecret(given, token)) return html(reply, 401, loginPage('That is not the admin token.'));
    const secure = req.protocol === 'https' ? '; Secure' : '';
    return reply
      .code(303)
      .header('set-cookie', `${COOKIE}=${sessionValue(token)}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=${SESSION_SECONDS}${secure}`)
      .header('location', '/dashboard')
      .send();
  });

  app.get('/dashboard/logout', async (_req, reply) =>
    reply.code(303).header('set-cookie', `${COOKIE}=; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=0`).header('location', '/dashboard').send(),
  );

  app.get('/dashboard/snapshot', async (req) => {
    if (!authorized(req, token)) throw new GatewayError('invalid_api_key', 'Sign in to the dashboard with the admin token.');
    return builder.build();
  });

  app.get('/dashboard/live', async (req, reply) => {
    if (!authorized(req, token)) throw new GatewayError('invalid_api_key', 'Sign in to the dashboard with the admin token.');
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    res.write(`retry: 2000\n\n`);
    live.add(res);
    timer ??= setInterval(tick, REFRESH_MS);
    res.on('close', () => {
      live.delete(res);
      if (live.size === 0) {
        clearInterval(timer);
        timer = undefined;
      }
    });
    builder.build().then(
      (s) => res.write(`event: snapshot\ndata: ${JSON.stringify(s)}\n\n`),
      (err: unknown) => app.log.warn({ err: String(err) }, 'dashboard snapshot failed'),
    );
  });

  const asset = (path: string, type: string, body: () => string | Buffer): void => {
    app.get(path, async (_req, reply) => reply.header('cache-control', 'public, max-age=300').type(type).send(body()));
  };
  asset('/dashboard/assets/dashboard.js', 'text/javascript; charset=utf-8', () => files.js);
  asset('/dashboard/assets/dashboard.css', 'text/css; charset=utf-8', () => files.css);
  const chartJs = readFileSync(chartJsPath);
  asset('/dashboard/assets/chart.umd.min.js', 'text/javascript; charset=utf-8', () => chartJs);
}
