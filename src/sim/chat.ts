import type { Reply } from './errors.ts';
import { invalidParam, missingParam, openaiError } from './errors.ts';
import { randomId } from './http-io.ts';
import type { Plan, PlanEnv, RequestBody } from './plan.ts';
import { intField, modelOf, respondJson } from './plan.ts';
import type { ChatShape } from './chat-shape.ts';
import { chatUsage, choiceWords } from './chat-shape.ts';
import { writeChatStream } from './chat-stream.ts';
import { chatPromptTokens, completionTokensPerChoice } from './tokens.ts';

/** A non-streamed `chat.completion`. */
function completionBody(shape: ChatShape) {
  return {
    id: shape.id,
    object: 'chat.completion',
    created: shape.created,
    model: shape.model,
    choices: Array.from({ length: shape.n }, (_, index) => ({
      index,
      message: { role: 'assistant', content: choiceWords(shape.words, index).join(' '), refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: 'stop',
    })),
    usage: chatUsage(shape),
    service_tier: 'default',
    system_fingerprint: 'fp_sim',
  };
}

/** Validates a chat request and plans its answer; the charge is prompt + completion tokens. */
export function planChat(body: RequestBody, env: PlanEnv): Plan | Reply {
  const { json } = body;
  const model = modelOf(body, env);
  if (!model) return missingParam('model');
  const messages = json.messages;
  if (messages === undefined) return missingParam('messages');
  if (!Array.isArray(messages)) return invalidParam('messages', `Invalid type for 'messages': expected an array of objects, but got ${typeof messages} instead.`, 'invalid_type');
  if (messages.length === 0) return invalidParam('messages', "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'empty_array');
  const n = intField(json, 'n', 1, 1, 128);
  if (typeof n === 'string') return invalidParam('n', n);
  const stream = json.stream === true;
  if (json.stream_options != null && !stream) {
    return openaiError(400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'invalid_request_error', null, 'stream_options');
  }
  const options = json.stream_options as { include_usage?: unknown } | null | undefined;
  const shape: ChatShape = {
    id: randomId('chatcmpl-'),
    created: Math.floor(Date.now() / 1000),
    model,
    n,
    words: completionTokensPerChoice(json),
    promptTokens: chatPromptTokens(messages),
    includeUsage: stream && options?.include_usage === true,
  };
  const usage = chatUsage(shape);
  return {
    model,
    cost: { tokens: usage.total_tokens, images: 0 },
    stream,
    latencyMs: env.latency.chat,
    imageEndpoint: false,
    respond: stream ? (out) => writeChatStream(shape, env, out) : respondJson(env.latency.chat, () => completionBody(shape)),
  };
}
