import type { UpstreamCall } from '../providers/index.ts';

/**
 * Streamed chat answers carry token usage only when the request sets
 * `stream_options.include_usage`. Sluice needs it for every answer (costs and budgets), so it
 * asks for it upstream and, when the client did not, removes the extra usage chunk from what
 * the client receives. Returns the call to send and whether to strip.
 */
export function withStreamUsage(call: UpstreamCall): { call: UpstreamCall; strip: boolean } {
  if (call.endpoint !== 'chat.completions' || !call.stream || !call.json) return { call, strip: false };
  const opts = call.json.stream_options as { include_usage?: unknown } | null | undefined;
  if (opts?.include_usage === true) return { call, strip: false };
  const json = { ...call.json, stream_options: { ...(opts ?? {}), include_usage: true } };
  return { call: { ...call, json, rawJson: undefined }, strip: true };
}

const USAGE_EVENT = /data: \{[^\n]*"choices":\[\][^\n]*"usage":\{[^\n]*\n\n/g;

/**
 * Removes the final usage chunk (`"choices":[]` with a usage object) from an SSE chunk. Only
 * chunks that mention usage are decoded; an event split across two chunks is left as is (the
 * client then sees the usage chunk it could have asked for, which the SDKs handle).
 */
export function stripUsageChunk(chunk: Buffer): Buffer {
  if (chunk.indexOf('"usage":{') === -1) return chunk;
  const text = chunk.toString('utf8');
  const out = text.replace(USAGE_EVENT, '');
  return out.length === text.length ? chunk : Buffer.from(out, 'utf8');
}
