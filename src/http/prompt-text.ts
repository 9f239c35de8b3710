import { contentText } from '../policy/index.ts';
import { callFields, type UpstreamCall } from '../providers/index.ts';

/** Longest prompt text kept in a log line. */
const MAX_CHARS = 2000;

/**
 * The text a caller sent (chat messages, an image prompt, embedding or moderation input),
 * shortened, for the access log when `server.logPrompts` is on. Images and files are left out.
 */
export function promptText(call: UpstreamCall): string | undefined {
  const f = callFields(call);
  let text: string;
  if (Array.isArray(f.messages)) text = f.messages.map((m) => `${(m as { role?: string }).role ?? '?'}: ${contentText((m as { content?: unknown }).content)}`).join('\n');
  else if (typeof f.prompt === 'string') text = f.prompt;
  else if (typeof f.input === 'string') text = f.input;
  else if (Array.isArray(f.input)) text = f.input.map(contentText).join('\n');
  else return undefined;
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}…` : text;
}
