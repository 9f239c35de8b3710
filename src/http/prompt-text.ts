import { callFields, type UpstreamCall } from '../providers/index.ts';

/** Longest prompt text kept in a log line. */
const MAX_CHARS = 2000;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join(' ');
  return '';
}

/**
 * The text a caller sent (chat messages, an image prompt, embedding or moderation input),
 * shortened, for the access log when `server.logPrompts` is on. Images and files are left out.
 */
export function promptText(call: UpstreamCall): string | undefined {
  const f = callFields(call);
  let text: string;
  if (Array.isArray(f.messages)) text = f.messages.map((m) => `${(m as { role?: string }).role ?? '?'}: ${textOf((m as { content?: unknown }).content)}`).join('\n');
  else if (typeof f.prompt === 'string') text = f.prompt;
  else if (typeof f.input === 'string') text = f.input;
  else if (Array.isArray(f.input)) text = f.input.map(textOf).join('\n');
  else return undefined;
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}…` : text;
}
