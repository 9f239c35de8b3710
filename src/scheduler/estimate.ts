import type { Need } from '../pool/index.ts';
import { callFields, type UpstreamCall } from '../providers/index.ts';

type Counter = (text: string) => number;

/** gpt-image-1 output tokens per image by quality and size (OpenAI's image guide; shared/OPENAI-WIRE.md). */
const IMAGE_OUTPUT_TOKENS: Record<string, Record<string, number>> = {
  low: { '1024x1024': 272, '1024x1536': 408, '1536x1024': 400 },
  medium: { '1024x1024': 1056, '1024x1536': 1584, '1536x1024': 1568 },
  high: { '1024x1024': 4160, '1024x1536': 6240, '1536x1024': 6208 },
};
/** What one image in a chat message is reserved at (OpenAI bills 85–1105 by detail and size). */
const CHAT_IMAGE_TOKENS = 765;

/** Models on the older cl100k_base encoding; everything newer uses o200k_base. */
const CL100K = /^(gpt-4(?!o|\.1)|gpt-3\.5|text-embedding-|davinci|babbage)/;

/**
 * Estimates what a request will consume before it is sent, so the scheduler never sends what
 * an account's TPM window cannot take. Text is counted with the model family's real tokenizer
 * (o200k/cl100k via gpt-tokenizer) and never below characters/4 (how upstreams estimate for
 * rate limiting); the estimate is replaced by the reported `usage` when the answer arrives.
 */
export class TokenEstimator {
  #o200k: Counter | undefined;
  #cl100k: Counter | undefined;
  readonly #defaultCompletion: number;

  constructor(defaultCompletionTokens: number) {
    this.#defaultCompletion = defaultCompletionTokens;
  }

  /** Loads the tokenizers (about 0.3 s); until then estimates use characters/4. */
  async warm(): Promise<void> {
    const [o, c] = await Promise.all([import('gpt-tokenizer/encoding/o200k_base'), import('gpt-tokenizer/encoding/cl100k_base')]);
    this.#o200k = (t) => o.countTokens(t);
    this.#cl100k = (t) => c.countTokens(t);
  }

  /** Tokens of `text` for `model`. */
  count(model: string, text: string): number {
    const counter = CL100K.test(model) ? this.#cl100k : this.#o200k;
    const quarter = Math.ceil(text.length / 4);
    return counter ? Math.max(counter(text), quarter) : quarter;
  }

  /**
   * What `call` will consume. With `precise` false (no account limits this model's tokens),
   * text is counted as characters/4 only: the tokenizer costs tens of µs per prompt, and the
   * count then only feeds the usage that the answer's `usage` replaces anyway.
   */
  need(call: UpstreamCall, precise = true): Need {
    const body = callFields(call);
    const count: Counter = precise ? (t) => this.count(call.model, t) : (t) => Math.ceil(t.length / 4);
    switch (call.endpoint) {
      case 'chat.completions': {
        const { prompt, completion } = this.#chat(count, body);
        return { requests: 1, images: 0, tokens: prompt + completion, outputTokens: completion };
      }
      case 'embeddings':
      case 'moderations':
        return { requests: 1, images: 0, tokens: this.#inputs(count, body.input) };
      default: {
        const n = Number(body.n ?? 1) || 1;
        const out = IMAGE_OUTPUT_TOKENS[String(body.quality ?? 'medium')]?.[String(body.size ?? '1024x1024')] ?? IMAGE_OUTPUT_TOKENS.medium['1024x1024'];
        const perImage = /^gpt-image/.test(call.model) ? out : 0;
        return { requests: 1, images: n, tokens: count(String(body.prompt ?? '')) + n * perImage };
      }
    }
  }

  #chat(count: Counter, body: Readonly<Record<string, unknown>>): { prompt: number; completion: number } {
    const messages = Array.isArray(body.messages) ? body.messages : [];
    let tokens = 3;
    for (const m of messages as Array<Record<string, unknown>>) {
      tokens += 3;
      const content = m?.content;
      if (typeof content === 'string') tokens += count(content);
      else if (Array.isArray(content)) {
        for (const part of content as Array<Record<string, unknown>>) {
          if (typeof part?.text === 'string') tokens += count(part.text);
          else tokens += CHAT_IMAGE_TOKENS;
        }
      }
    }
    const n = Number(body.n ?? 1) || 1;
    const completion = Number(body.max_completion_tokens ?? body.max_tokens ?? this.#defaultCompletion) || this.#defaultCompletion;
    return { prompt: tokens, completion: n * completion };
  }

  #inputs(count: Counter, input: unknown): number {
    if (typeof input === 'string') return count(input);
    if (!Array.isArray(input)) return 1;
    let tokens = 0;
    for (const item of input) {
      if (typeof item === 'string') tokens += count(item);
      else if (typeof item === 'number') tokens += 1;
      else if (Array.isArray(item)) tokens += item.length;
      else tokens += 1;
    }
    return tokens;
  }
}


/** Total tokens an answer reports in `usage` (chat, embeddings and gpt-image answers all say `total_tokens`). */
export function reportedTokens(json: Record<string, unknown>): number | undefined {
  const usage = json.usage as { total_tokens?: unknown } | undefined;
  return typeof usage?.total_tokens === 'number' ? usage.total_tokens : undefined;
}
