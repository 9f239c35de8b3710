import { createHash } from 'node:crypto';
import type { UpstreamCall } from '../providers/index.ts';
import { normalizePrompts } from './normalize.ts';

/** Bumped whenever the canonical form changes, so old shared (Redis) entries stop matching. */
const FORM_VERSION = 1;

/**
 * Body fields left out of the key because they do not change the answer:
 * `model` (the key takes `call.model`), `stream` (stream and non-stream answers are different
 * bytes: the caller keeps them apart, e.g. with a `:sse`/`:json` suffix), `user` and
 * `safety_identifier` (who the request is for, for abuse tracking, not what is answered; such
 * requests are cached only on explicit opt-in, see `cacheDecision`), `prompt_cache_key`
 * (an upstream routing hint). Every other field, known or not, is part of the key.
 */
const IGNORED_FIELDS: ReadonlySet<string> = new Set(['model', 'stream', 'user', 'safety_identifier', 'prompt_cache_key']);

/**
 * The canonical key of a call: sha256 hex of a stable JSON (object keys sorted, no whitespace)
 * of `{v, endpoint, model, params}`, where `params` is the JSON body without the fields in
 * `IGNORED_FIELDS`, and without `stream_options` unless `call.stream` (it decides whether the
 * stream carries a usage chunk, so it changes a stream's bytes). Key order and whitespace of
 * the client's JSON do not matter; values are not defaulted (`temperature: 1` and no
 * temperature are different keys). With `normalize`, prompt texts are normalised first
 * (see `normalizeText`). Multipart calls (image edits) have no key: throws a TypeError.
 */
export function canonicalKey(call: UpstreamCall, normalize: boolean): string {
  if (call.form) throw new TypeError('multipart calls (image edits) have no canonical key: they are never cached');
  let params: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(call.json ?? {})) {
    if (IGNORED_FIELDS.has(name) || (name === 'stream_options' && !call.stream)) continue;
    params[name] = value;
  }
  if (normalize) params = normalizePrompts(call.endpoint, params);
  const form = { v: FORM_VERSION, endpoint: call.endpoint, model: call.model, params };
  return createHash('sha256').update(stableJson(form)).digest('hex');
}

/**
 * JSON with object keys in sorted order and no whitespace; `undefined` object members are left
 * out and `undefined` array items are `null`, as `JSON.stringify` does.
 */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stableJson(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
