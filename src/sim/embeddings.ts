import type { Reply } from './errors.ts';
import { invalidParam, missingParam } from './errors.ts';
import type { Plan, PlanEnv, RequestBody } from './plan.ts';
import { intField, modelOf, respondJson } from './plan.ts';
import { hashString, mulberry32 } from './rng.ts';
import { embeddingInputTokens } from './tokens.ts';

type EmbeddingInput = string | number[];

/** Normalises `input` (string | string[] | number[] | number[][]) to a list, or null when invalid. */
function inputsOf(input: unknown): EmbeddingInput[] | null {
  const isTokens = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x));
  if (typeof input === 'string') return [input];
  if (isTokens(input)) return [input];
  if (!Array.isArray(input) || input.length === 0 || input.length > 2048) return null;
  if (input.every((v) => typeof v === 'string') || input.every(isTokens)) return input as EmbeddingInput[];
  return null;
}

/** A deterministic unit vector for an input, so equal inputs get equal embeddings. */
export function embeddingVector(input: EmbeddingInput, dimensions: number): Float32Array {
  const random = mulberry32(hashString(typeof input === 'string' ? input : input.join(',')));
  const v = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    v[i] = random() * 2 - 1;
    norm += v[i] * v[i];
  }
  const scale = 1 / Math.sqrt(norm || 1);
  for (let i = 0; i < dimensions; i++) v[i] *= scale;
  return v;
}

/** Float32 little-endian base64, what OpenAI returns for `encoding_format: "base64"`. */
function toBase64(v: Float32Array): string {
  const buf = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i], i * 4);
  return buf.toString('base64');
}

/** Validates an embeddings request; the charge is its prompt tokens. */
export function planEmbeddings(body: RequestBody, env: PlanEnv): Plan | Reply {
  const { json } = body;
  const model = modelOf(body, env);
  if (!model) return missingParam('model');
  if (json.input === undefined) return missingParam('input');
  const inputs = inputsOf(json.input);
  if (!inputs || inputs.some((i) => i === '')) return invalidParam('input', "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.");
  const dimensions = intField(json, 'dimensions', 1536, 1, 3072);
  if (typeof dimensions === 'string') return invalidParam('dimensions', dimensions);
  const format = json.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') return invalidParam('encoding_format', `Invalid value: '${String(format)}'. Supported values are: 'float' and 'base64'.`);
  const tokens = inputs.reduce((sum, i) => sum + embeddingInputTokens(i), 0);
  const build = () => ({
    object: 'list',
    data: inputs.map((input, index) => {
      const v = embeddingVector(input, dimensions);
      return { object: 'embedding', index, embedding: format === 'base64' ? toBase64(v) : Array.from(v) };
    }),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
  return { model, cost: { tokens, images: 0 }, stream: false, latencyMs: env.latency.embeddings, imageEndpoint: false, respond: respondJson(env.latency.embeddings, build) };
}
