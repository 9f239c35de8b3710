import type { UpstreamCall } from '../providers/index.ts';
import { canonicalKey } from './canonical.ts';
import type { CacheDecision, CachePolicyInput } from './types.ts';

/**
 * Decides whether a request may use the cache (and coalescing), and its key. In order:
 * - image edits (multipart uploads) never: `image-edit`;
 * - `x-sluice-cache: off`: `header-off`; a client that opted out: `client-opted-out`;
 *   a client that did not choose while the config default is off: `default-off`;
 * - answers not meant to repeat are cached only for a client that opted in explicitly
 *   (`needs-opt-in:<why>`): `user` or `safety_identifier` set (any endpoint), chat with
 *   `n > 1`, chat with `temperature` above 0 — a chat request without a numeric `temperature`
 *   counts as above 0, OpenAI's default being 1 — and image generations with `n > 1`;
 * - everything else is cached: chat at temperature 0, embeddings, moderations, images with n = 1;
 * - a body that cannot be keyed (e.g. nested too deep for the key's recursion): `unkeyable`.
 */
export function cacheDecision(input: CachePolicyInput): CacheDecision {
  const { call } = input;
  if (call.form || call.endpoint === 'images.edits') return no('image-edit');
  if (input.headerOff) return no('header-off');
  if (input.clientOptIn === false) return no('client-opted-out');
  if (input.clientOptIn === null && !input.defaultOn) return no('default-off');
  const why = notMeantToRepeat(call);
  if (why && input.clientOptIn !== true) return no(`needs-opt-in:${why}`);
  try {
    return { use: true, key: canonicalKey(call, input.normalize) };
  } catch {
    return no('unkeyable');
  }
}

/** Why the answer to `call` may differ on a repeat (or vary per end user), if it may. */
function notMeantToRepeat(call: UpstreamCall): string | undefined {
  const j = call.json ?? {};
  if (isSet(j.user)) return 'user';
  if (isSet(j.safety_identifier)) return 'safety_identifier';
  const manyAnswers = Number(j.n) > 1;
  if (call.endpoint === 'chat.completions') {
    if (manyAnswers) return 'n>1';
    if (typeof j.temperature !== 'number' || j.temperature > 0) return 'temperature>0';
  }
  if (call.endpoint === 'images.generations' && manyAnswers) return 'n>1';
  return undefined;
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

function no(reason: string): CacheDecision {
  return { use: false, reason };
}
