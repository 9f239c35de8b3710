import type { UpstreamCall } from '../providers/index.ts';

/**
 * The call with some parameters set (a string) or removed (undefined), in its JSON body or its
 * multipart fields alike. The client's raw bytes are dropped, so the changed body is sent.
 */
export function withFields(call: UpstreamCall, changes: Readonly<Record<string, string | undefined>>): UpstreamCall {
  const names = Object.keys(changes);
  if (names.length === 0) return call;
  if (call.json) {
    const json: Record<string, unknown> = { ...call.json };
    for (const n of names) {
      if (changes[n] === undefined) delete json[n];
      else json[n] = changes[n];
    }
    return { ...call, json, rawJson: undefined };
  }
  if (call.form) {
    const form = call.form.filter((p) => !('value' in p && Object.hasOwn(changes, p.name)));
    for (const n of names) {
      const v = changes[n];
      if (v !== undefined) form.push({ name: n, value: v });
    }
    return { ...call, form };
  }
  return call;
}
