import { wait } from './http-io.ts';
import type { ChatShape } from './chat-shape.ts';
import { chatUsage, choiceWords } from './chat-shape.ts';
import type { Output, PlanEnv } from './plan.ts';

/** Azure streams may open with a chunk that has no choices, only prompt filter results. */
const AZURE_FILTER_CHUNK = {
  choices: [],
  created: 0,
  id: '',
  model: '',
  object: '',
  prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }],
};

/**
 * Writes a streamed chat answer like OpenAI: first chunk (role, empty content) after the
 * latency, then one chunk per word every `chatChunk` ms, a last chunk with `delta: {}` and
 * `finish_reason`, the usage chunk (`choices: []`) when `include_usage`, then `[DONE]`.
 * With `out.cut`, the socket is destroyed halfway, without usage or `[DONE]`.
 */
export async function writeChatStream(shape: ChatShape, env: PlanEnv, out: Output): Promise<void> {
  if (!(await wait(env.latency.chat, out.signal))) return;
  const { res } = out;
  if (res.destroyed) return;
  res.writeHead(200, { ...out.headers(), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  const chunk = (index: number, delta: Record<string, unknown>, finish: string | null) => ({
    id: shape.id,
    object: 'chat.completion.chunk',
    created: shape.created,
    model: shape.model,
    system_fingerprint: 'fp_sim',
    choices: [{ index, delta, logprobs: null, finish_reason: finish }],
    ...(shape.includeUsage ? { usage: null } : {}),
  });
  if (env.style === 'azure') send(AZURE_FILTER_CHUNK);
  for (let c = 0; c < shape.n; c++) send(chunk(c, { role: 'assistant', content: '', refusal: null }, null));
  const words = Array.from({ length: shape.n }, (_, c) => choiceWords(shape.words, c));
  const cutAt = out.cut ? Math.floor(shape.words / 2) : -1;
  for (let i = 0; i < shape.words; i++) {
    if (i === cutAt) return void res.destroy();
    if (!(await wait(env.latency.chatChunk, out.signal)) || res.destroyed) return;
    for (let c = 0; c < shape.n; c++) send(chunk(c, { content: i === 0 ? words[c][i] : ` ${words[c][i]}` }, null));
  }
  if (out.cut) return void res.destroy();
  for (let c = 0; c < shape.n; c++) send(chunk(c, {}, 'stop'));
  if (shape.includeUsage) send({ ...chunk(0, {}, null), choices: [], usage: chatUsage(shape) });
  res.end('data: [DONE]\n\n');
}
