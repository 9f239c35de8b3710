import type { Reply } from './errors.ts';
import { invalidParam } from './errors.ts';
import { randomId } from './http-io.ts';
import type { Plan, PlanEnv, RequestBody } from './plan.ts';
import { modelOf, respondJson } from './plan.ts';
import { textTokens } from './tokens.ts';

const CATEGORIES = ['harassment', 'harassment/threatening', 'hate', 'hate/threatening', 'illicit', 'illicit/violent', 'self-harm', 'self-harm/intent', 'self-harm/instructions', 'sexual', 'sexual/minors', 'violence', 'violence/graphic'];

/** Texts of a moderation `input`: a string, strings, or multimodal parts (`{type:"text",text}`). */
function textsOf(input: unknown): string[] | null {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return null;
  if (input.every((v) => typeof v === 'string')) return input as string[];
  if (input.every((v) => v && typeof v === 'object')) {
    const text = input.map((p) => (typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join(' ');
    return [text];
  }
  return null;
}

/** One result; flagged (as violence) when the text contains the word "forbidden", for tests. */
function result(text: string, omni: boolean) {
  const flagged = /\bforbidden\b/i.test(text);
  const categories: Record<string, boolean> = {};
  const scores: Record<string, number> = {};
  const applied: Record<string, string[]> = {};
  for (const c of CATEGORIES) {
    categories[c] = flagged && c === 'violence';
    scores[c] = categories[c] ? 0.91 : 0.0001;
    applied[c] = ['text'];
  }
  return { flagged, categories, category_scores: scores, ...(omni ? { category_applied_input_types: applied } : {}) };
}

/** Validates a moderation request; the charge is ceil(chars / 4) tokens. */
export function planModerations(body: RequestBody, env: PlanEnv): Plan | Reply {
  const model = modelOf(body, env, 'omni-moderation-latest') as string;
  const texts = textsOf(body.json.input);
  if (!texts) return body.json.input === undefined ? invalidParam('input', "Missing required parameter: 'input'.", 'missing_required_parameter') : invalidParam('input', "'$.input' is invalid.");
  const tokens = texts.reduce((sum, t) => sum + textTokens(t), 0);
  const omni = model.startsWith('omni');
  const build = () => ({ id: randomId('modr-'), model, results: texts.map((t) => result(t, omni)) });
  return { model, cost: { tokens, images: 0 }, stream: false, latencyMs: env.latency.moderations, imageEndpoint: false, respond: respondJson(env.latency.moderations, build) };
}
