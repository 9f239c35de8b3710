/**
 * The operator CLI's plumbing: where the running gateway is (--url, else the config's
 * server.host/port), the admin token (--admin-token, $SLUICE_ADMIN_TOKEN, the config's
 * adminToken), a tiny fetch-based client for `/admin/...`, the option parsers shared by
 * `sluice keys|accounts|usage`, and the error reporting (`sluice: <message>` + exit code).
 *
 * The CLI talks to the gateway over HTTP (never to the store directly) so that the running
 * scheduler sees every change at once. It imports nothing heavy: the config module is loaded
 * only when --url or the token has to come from the config file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';

/** A problem to report as `sluice: <message>`; exit 1 when the gateway said no or is unreachable, 2 for local setup. */
export class CliError extends Error {
  override name = 'CliError';
  exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Options every admin command takes. */
export interface ConnectionOptions {
  config?: string;
  url?: string;
  adminToken?: string;
  json?: boolean;
}

export interface Connection {
  /** Base URL of the gateway, without a trailing slash (e.g. http://127.0.0.1:8080). */
  url: string;
  token: string;
}

/** Adds -c/--config, --url, --admin-token and --json to an admin command. */
export function withConnection(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'config file to take server.host/port and adminToken from (default: $SLUICE_CONFIG, then ./sluice.yaml)')
    .option('--url <url>', 'gateway URL (default: http://<server.host>:<server.port> from the config)')
    .option('--admin-token <token>', 'admin token (default: $SLUICE_ADMIN_TOKEN, then adminToken from the config)')
    .option('--json', 'print the raw JSON answer instead of a table');
}

// ---------------------------------------------------------------------------------------------
// Finding the gateway

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const PLACEHOLDER_RE = /__sluice_cli_ref_(\d+)__/g;

interface ConfigConnection {
  host: string;
  port: number;
  adminToken?: string;
  /** Why the config's adminToken could not be used (an unset variable), for the error message. */
  adminTokenProblem?: string;
  source: string;
}

function get(obj: unknown, ...path: string[]): unknown {
  let v = obj;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/**
 * The connection settings of the config `sluice serve` would use (same search order as its
 * `resolveConfig`: --config, $SLUICE_CONFIG, ./sluice.yaml, else the defaults). Only
 * server.host, server.port and adminToken are read and interpolated, so the rest of the file
 * may refer to variables (upstream API keys) that the operator's shell does not have.
 */
async function configConnection(flag: string | undefined, env: NodeJS.ProcessEnv): Promise<ConfigConnection> {
  const { ConfigError, interpolateEnv, parseConfig } = await import('../config/index.ts');
  const { parse: parseYaml } = await import('yaml');
  const defaults = parseConfig({}).server;
  const file = flag ?? env.SLUICE_CONFIG ?? (existsSync('sluice.yaml') ? 'sluice.yaml' : undefined);
  if (!file) return { host: defaults.host, port: defaults.port, source: 'the defaults' };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`config error: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 2);
  }
  // As in loadConfigFile: `${VAR}` is not valid YAML inside a flow map, so mask references first.
  const refs: string[] = [];
  let raw: unknown;
  try {
    raw = parseYaml(text.replace(ENV_REF, (ref) => `__sluice_cli_ref_${refs.push(ref) - 1}__`));
  } catch (err) {
    throw new CliError(`config error: ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, 2);
  }
  const value = (path: string[]): unknown => {
    const v = get(raw, ...path);
    if (typeof v !== 'string') return v;
    return interpolateEnv(
      v.replace(PLACEHOLDER_RE, (_m, i: string) => refs[Number(i)]),
      env,
      path,
    );
  };
  const out: ConfigConnection = { host: defaults.host, port: defaults.port, source: file };
  try {
    const host = value(['server', 'host']);
    const port = value(['server', 'port']);
    if (host !== undefined && host !== null) out.host = String(host);
    if (port !== undefined && port !== null) {
      const n = Number(port);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`server.port: not a port number`);
      out.port = n;
    }
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`config error: ${file}: ${err.message}`, 2);
    throw err;
  }
  try {
    const token = value(['adminToken']);
    if (typeof token === 'string' && token !== '') out.adminToken = token;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    out.adminTokenProblem = err.message;
  }
  return out;
}

/** `http://host:port` for a listen address: a wildcard address is reached on loopback. */
export function urlFor(host: string, port: number): string {
  const h = host === '' || host === '0.0.0.0' || host === '::' || host === '[::]' ? '127.0.0.1' : host;
  return `http://${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${port}`;
}

/** Where the gateway is and the admin token, from the flags, the environment and the config. */
export async function resolveConnection(opts: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): Promise<Connection> {
  let token = opts.adminToken || env.SLUICE_ADMIN_TOKEN || undefined;
  let url = opts.url;
  let cfg: ConfigConnection | undefined;
  if (!url || !token) {
    cfg = await configConnection(opts.config, env);
    url ??= urlFor(cfg.host, cfg.port);
    token ??= cfg.adminToken;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--url: ${url} is not a URL (e.g. http://127.0.0.1:8080)`, 2);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CliError(`--url: ${url} is not an http(s) URL`, 2);
  if (!token) {
    const why = cfg?.adminTokenProblem ? ` (${cfg.source}: ${cfg.adminTokenProblem})` : '';
    throw new CliError(`no admin token: set $SLUICE_ADMIN_TOKEN, pass --admin-token, or set adminToken in the config${why}`, 2);
  }
  return { url: url.replace(/\/+$/, ''), token };
}

// ---------------------------------------------------------------------------------------------
// Talking to it

const TIMEOUT_MS = 60_000;

type Query = Record<string, string | number | undefined>;

interface RequestOptions {
  body?: unknown;
  query?: Query;
}

/** Network error codes, also when Node tried several addresses (AggregateError). */
function networkCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: string; errors?: Array<{ code?: string }> } }).cause;
  return cause?.code ?? cause?.errors?.find((e) => e.code)?.code;
}

/** A client for the gateway's `/admin` API. Errors become {@link CliError}s with the gateway's own message. */
export class AdminClient {
  readonly url: string;
  readonly #token: string;
  /** Strings never to echo back (e.g. an upstream API key being added). */
  readonly #secrets: string[];

  constructor(conn: Connection, secrets: string[] = []) {
    this.url = conn.url;
    this.#token = conn.token;
    this.#secrets = secrets.filter((s) => s.length > 0);
  }

  /** Sends a request and parses the JSON answer. */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const text = await this.text(method, path, opts);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`unexpected answer from ${this.url}${path}: not JSON (is --url pointing at a Sluice gateway?)`);
    }
  }

  /** Sends a request and returns the answer's text (used for CSV). */
  async text(method: string, path: string, opts: RequestOptions = {}): Promise<string> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') qs.set(k, String(v));
    const target = `${this.url}/admin${path}${qs.size ? `?${qs}` : ''}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}`, accept: 'application/json, text/csv' };
    // Only send a content type with a body: fastify rejects an empty body declared as JSON.
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(target, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: 'error',
      });
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') throw new CliError(`the gateway at ${this.url} did not answer within ${TIMEOUT_MS / 1000} s`);
      const code = networkCode(err);
      if (code === 'ECONNREFUSED') throw new CliError(`cannot reach the gateway at ${this.url}: is \`sluice serve\` running?`);
      const why = code ?? (err as { cause?: Error }).cause?.message ?? (err as Error).message;
      const hint = /redirect/i.test(why) ? ' (the gateway answered with a redirect: give its final address in --url)' : '';
      throw new CliError(`cannot reach the gateway at ${this.url}: ${this.#redact(why)}${hint}`);
    }
    const text = await res.text();
    if (!res.ok) throw new CliError(this.#redact(errorMessage(res, text)));
    return text;
  }

  #redact(s: string): string {
    return this.#secrets.reduce((out, secret) => out.replaceAll(secret, '***'), s);
  }
}

/** `<message> (<code>)` from an OpenAI-style error body, else the HTTP status and the start of the body. */
function errorMessage(res: Response, text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown; code?: unknown } };
    const message = body?.error?.message;
    if (typeof message === 'string' && message) {
      const code = body.error?.code;
      return typeof code === 'string' && code ? `${message} (${code})` : message;
    }
  } catch {
    // not JSON: fall through
  }
  const snippet = text.trim().replace(/\s+/g, ' ').slice(0, 200);
  return `the gateway answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${snippet ? `: ${snippet}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Running commands

/**
 * Wraps a command action: a {@link CliError} is printed as `sluice: <message>` on stderr and
 * sets the exit code; anything else is a bug and propagates.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      process.stderr.write(`sluice: ${err.message}\n`);
      process.exitCode = err.exitCode;
    }
  };
}

/** Connects with the command's options and runs `fn` with a client. */
export async function connect(opts: ConnectionOptions, secrets: string[] = []): Promise<AdminClient> {
  return new AdminClient(await resolveConnection(opts), secrets);
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Option parsers (commander calls them with the raw string; they throw InvalidArgumentError)

/** A value that clears a limit on update: `none` (or `off`, `null`). */
const CLEAR = new Set(['none', 'off', 'null']);

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a positive number');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number >= 0');
  return n;
}

/** `a,b , c` -> ['a', 'b', 'c']. */
export function list(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('must be a comma-separated list');
  return items;
}

/** An expiry: an ISO date-time with an offset (as the API wants), or a plain date meaning its start in UTC. */
export function isoTime(value: string): string {
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v) && Number.isFinite(Date.parse(v))) return `${v}T00:00:00Z`;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(v) && Number.isFinite(Date.parse(v))) return v;
  throw new InvalidArgumentError('use an ISO date-time with a zone (2026-12-31T00:00:00Z) or a date (2026-12-31)');
}

/** What a {@link clearable} option holds for `none` (commander turns a parser's null into ''). */
export const NONE = Symbol('none');

/** Wraps a parser so that `none` means "remove this limit" ({@link NONE}; send null in the PATCH body). */
export function clearable<T>(parse: (value: string) => T): (value: string) => T | typeof NONE {
  return (value: string) => (CLEAR.has(value.trim().toLowerCase()) ? NONE : parse(value));
}

/** Collects a repeatable option into an array. */
export function repeat<T>(parse: (value: string) => T): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous) => [...(previous ?? []), parse(value)];
}
