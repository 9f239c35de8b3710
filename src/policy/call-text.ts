import { callFields, type UpstreamCall } from '../providers/index.ts';

/** The text of a message's `content`: a string, or the `text` of its parts (images and files left out). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join(' ');
  return '';
}

/**
 * Everything a caller wrote in a call, one entry per message (chat), the prompt (images) or
 * each input (embeddings, moderations); undefined when the call carries no text.
 */
export function callTexts(call: Pick<UpstreamCall, 'json' | 'form'>): string[] | undefined {
  const f = callFields(call);
  if (Array.isArray(f.messages)) return f.messages.map((m) => contentText((m as { content?: unknown } | null)?.content));
  if (typeof f.prompt === 'string') return [f.prompt];
  if (typeof f.input === 'string') return [f.input];
  if (Array.isArray(f.input)) return f.input.map(contentText);
  return undefined;
}
