import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { EventType, SluiceEvent } from './event-log.ts';
import { type WebhookFormat, webhookBody } from './webhook-body.ts';

/** One receiver of alerts (an `alerts.webhooks[]` entry of the config). */
export interface WebhookTarget {
  /** May carry a secret in its path or query (Slack, DingTalk): only its origin is ever logged. */
  readonly url: string;
  /** The event types sent to it. */
  readonly events: readonly EventType[];
  readonly format: WebhookFormat;
  /** Extra request headers (e.g. an Authorization for the receiver); never logged. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The `alerts` section of the config. */
export interface WebhookOptions {
  readonly webhooks: readonly WebhookTarget[];
  /** Retries after the first attempt, on a network error or a non-2xx answer. */
  readonly retries: number;
  /** Wait before retry k (0-based): backoffMs × 2^k. */
  readonly backoffMs: number;
  /** Longest one attempt may take. */
  readonly timeoutMs: number;
  /** The same (type, account, client) goes to a webhook at most once per this many seconds. */
  readonly dedupeSeconds: number;
}

/** Where failures are reported (the gateway's logger). */
export type WebhookWarn = (fields: Record<string, unknown>, msg: string) => void;

/** How long {@link WebhookNotifier.close} lets deliveries in progress finish by default. */
const CLOSE_GRACE_MS = 1000;
/** Dedupe entries kept before expired ones are swept. */
const DEDUPE_SWEEP_AT = 1000;

/** Why an attempt failed, without anything from the URL: a status, an error code or name. */
function reason(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown };
  return typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'error';
}

/** What may be logged of a webhook URL: scheme, host and port, never the path or query. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Posts events to webhooks (chat channels, incident tools) as they are emitted. Subscribe
 * {@link notify} to the EventLog: it only starts deliveries and returns, so emitting (from the
 * pool's hot path) never waits for or fails because of a receiver. A delivery retries with
 * exponential backoff, then gives up with a warning naming the receiver's origin only — the
 * path and query of Slack and DingTalk webhook URLs are the secret. A flapping account alerts
 * once per `dedupeSeconds`, not once per flap.
 */
export class WebhookNotifier {
  readonly #opts: WebhookOptions;
  readonly #warn: WebhookWarn;
  /** Own connection pool, so close() can end every socket it opened. */
  readonly #agent = new Agent({ keepAliveTimeout: 10_000 });
  readonly #abort = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  /** Per webhook and (type, account, client): when it was last sent, epoch ms. */
  readonly #lastSent = new Map<string, number>();
  #closed = false;

  constructor(opts: WebhookOptions, warn: WebhookWarn) {
    this.#opts = opts;
    this.#warn = warn;
  }

  /** Starts a delivery to every webhook that wants this event and has not had it lately. Never throws. */
  notify(e: SluiceEvent): void {
    if (this.#closed) return;
    const now = Date.now();
    this.#opts.webhooks.forEach((hook, i) => {
      if (!hook.events.includes(e.type) || this.#recentlySent(`${i}\0${e.type}\0${e.account ?? ''}\0${e.client ?? ''}`, now)) return;
      const delivery: Promise<void> = this.#deliver(hook, e)
        .catch((err: unknown) => this.#warn({ webhook: originOf(hook.url), event: e.type, reason: reason(err) }, 'webhook delivery failed'))
        .finally(() => this.#inFlight.delete(delivery));
      this.#inFlight.add(delivery);
    });
  }

  /** True if `key` was sent within the dedupe window; otherwise records it as sent now. */
  #recentlySent(key: string, now: number): boolean {
    const windowMs = this.#opts.dedupeSeconds * 1000;
    const last = this.#lastSent.get(key);
    if (last !== undefined && now - last < windowMs) return true;
    if (this.#lastSent.size >= DEDUPE_SWEEP_AT) {
      for (const [k, t] of this.#lastSent) if (now - t >= windowMs) this.#lastSent.delete(k);
    }
    this.#lastSent.set(key, now);
    return false;
  }

  async #deliver(hook: WebhookTarget, e: SluiceEvent): Promise<void> {
    const payload = JSON.stringify(webhookBody(hook.format, e));
    let failure = '';
    for (let attempt = 0; attempt <= this.#opts.retries; attempt++) {
      if (attempt > 0 && !(await this.#pause(this.#opts.backoffMs * 2 ** (attempt - 1)))) return;
      failure = await this.#post(hook, payload);
      if (failure === '' || this.#abort.signal.aborted) return;
    }
    this.#warn({ webhook: originOf(hook.url), event: e.type, attempts: this.#opts.retries + 1, reason: failure }, 'webhook delivery failed; giving up');
  }

  /** One attempt: '' when the receiver answered 2xx, else why not. */
  async #post(hook: WebhookTarget, payload: string): Promise<string> {
    try {
      const res = await request(hook.url, {
        method: 'POST',
        dispatcher: this.#agent,
        headers: { 'content-type': 'application/json', 'user-agent': 'sluice', ...hook.headers },
        body: payload,
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#opts.timeoutMs)]),
      });
      await res.body.dump();
      return res.statusCode >= 200 && res.statusCode < 300 ? '' : `HTTP ${res.statusCode}`;
    } catch (err) {
      return reason(err);
    }
  }

  /** Waits before a retry; false if close() abandoned the delivery meanwhile. */
  async #pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.#abort.signal });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Takes no new events; lets deliveries in progress finish for up to `graceMs`, then abandons
   * the rest (pending retries included) and closes the connections.
   */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    this.#closed = true;
    if (this.#inFlight.size > 0) {
      const grace = new AbortController();
      await Promise.race([Promise.allSettled([...this.#inFlight]), sleep(graceMs, undefined, { signal: grace.signal }).catch(() => {})]);
      grace.abort();
    }
    const abandoned = this.#inFlight.size;
    this.#abort.abort();
    await Promise.allSettled([...this.#inFlight]);
    if (abandoned > 0) this.#warn({ deliveries: abandoned }, 'webhook deliveries abandoned at shutdown');
    await this.#agent.destroy();
  }
}
