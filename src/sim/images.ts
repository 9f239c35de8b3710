import type { Reply } from './errors.ts';
import { invalidParam, missingParam, openaiError } from './errors.ts';
import { sendReply, wait } from './http-io.ts';
import type { Plan, PlanEnv, RequestBody } from './plan.ts';
import { intField, isReply, modelOf, respondJson } from './plan.ts';
import { INPUT_IMAGE_TOKENS, imageOutputTokens, textTokens } from './tokens.ts';

const GPT_SIZES = ['auto', '1024x1024', '1536x1024', '1024x1536'];
const GPT_QUALITIES = ['auto', 'low', 'medium', 'high'];
const GPT_FORMATS = ['png', 'jpeg', 'webp'];

/** Checks an optional string field against allowed values; returns the value or an error reply. */
function choice(json: Record<string, unknown>, name: string, allowed: string[], fallback: string): string | Reply {
  const raw = json[name];
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw === 'string' && allowed.includes(raw)) return raw;
  return invalidParam(name, `Invalid value: '${String(raw)}'. Supported values are: ${allowed.map((a) => `'${a}'`).join(', ')}.`);
}

/** The `usage` of a GPT image answer: prompt text + input images in, the table's tokens out. */
function gptUsage(prompt: string, inputImages: number, quality: string, size: string, n: number) {
  const text = textTokens(prompt);
  const image = inputImages * INPUT_IMAGE_TOKENS;
  const output = imageOutputTokens(quality, size) * n;
  return {
    total_tokens: text + image + output,
    input_tokens: text + image,
    output_tokens: output,
    input_tokens_details: { text_tokens: text, image_tokens: image },
    output_tokens_details: { text_tokens: 0, image_tokens: output },
  };
}

/** A GPT image model (gpt-image-1 and any `gpt-image-*`, and any non-DALL·E model): b64 + usage. */
function planGpt(json: Record<string, unknown>, ctx: ImageContext, env: PlanEnv): Plan | Reply {
  const size = choice(json, 'size', GPT_SIZES, 'auto');
  const quality = choice(json, 'quality', GPT_QUALITIES, 'auto');
  const format = choice(json, 'output_format', GPT_FORMATS, 'png');
  const background = choice(json, 'background', ['auto', 'opaque', 'transparent'], 'auto');
  for (const v of [size, quality, format, background]) if (typeof v !== 'string') return v;
  const realSize = size === 'auto' ? '1024x1024' : (size as string);
  const realQuality = quality === 'auto' ? 'medium' : (quality as string);
  const usage = gptUsage(ctx.prompt, ctx.inputImages, realQuality, realSize, ctx.n);
  const b64 = env.png.toString('base64');
  const build = () => ({
    created: Math.floor(Date.now() / 1000),
    background: background === 'auto' ? 'opaque' : background,
    data: Array.from({ length: ctx.n }, () => ({ b64_json: b64 })),
    output_format: format,
    quality: realQuality,
    size: realSize,
    usage,
  });
  return imagePlan(ctx, env, usage.total_tokens, build);
}

/** dall-e-2 / dall-e-3: a URL served by the simulator (default) or b64, no usage. */
function planDalle(json: Record<string, unknown>, ctx: ImageContext, env: PlanEnv): Plan | Reply {
  if (ctx.model === 'dall-e-3' && ctx.n > 1) return invalidParam('n', 'You must provide n=1 for this model.');
  const format = choice(json, 'response_format', ['url', 'b64_json'], 'url');
  if (typeof format !== 'string') return format;
  const revised = ctx.model === 'dall-e-3' ? { revised_prompt: ctx.prompt } : {};
  const build = () => ({
    created: Math.floor(Date.now() / 1000),
    data: Array.from({ length: ctx.n }, () =>
      format === 'url' ? { url: `${env.baseUrl}/sim/images/${env.registerImage()}.png`, ...revised } : { b64_json: env.png.toString('base64'), ...revised },
    ),
  });
  return imagePlan(ctx, env, 0, build);
}

interface ImageContext {
  model: string;
  prompt: string;
  n: number;
  inputImages: number;
  edit: boolean;
  mask: boolean;
}

function imagePlan(ctx: ImageContext, env: PlanEnv, tokens: number, build: () => unknown): Plan {
  const latencyMs = ctx.edit ? env.latency.imageEdits : env.latency.images;
  const extra: Record<string, string> = ctx.edit ? { 'x-sim-images-received': String(ctx.inputImages), 'x-sim-mask-received': ctx.mask ? '1' : '0' } : {};
  return { model: ctx.model, cost: { tokens, images: ctx.n }, stream: false, latencyMs, imageEndpoint: true, respond: respondJson(latencyMs, build, extra) };
}

/** Prompts the simulated safety system refuses: those with the word "forbidden" (the word moderations flag). */
const REFUSED_PROMPT = /\bforbidden\b/i;

/**
 * A refusal by the safety system, in the shape each model family answers it: GPT image models
 * `moderation_blocked` (type `image_generation_user_error`), DALL·E `content_policy_violation`.
 */
function safetyRefusal(model: string): Reply {
  return model.startsWith('dall-e')
    ? openaiError(400, 'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.', 'invalid_request_error', 'content_policy_violation')
    : openaiError(400, 'Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID.', 'image_generation_user_error', 'moderation_blocked');
}

/** A refused prompt is admitted (it counts in the limits like any request looked at), then answered 400 after the moderation latency. */
function refusedPlan(ctx: ImageContext, env: PlanEnv): Plan {
  const latencyMs = env.latency.moderations;
  const respond: Plan['respond'] = async (out) => {
    if (!(await wait(latencyMs, out.signal))) return;
    sendReply(out.res, safetyRefusal(ctx.model), out.headers());
  };
  return { model: ctx.model, cost: { tokens: textTokens(ctx.prompt), images: ctx.n }, stream: false, latencyMs, imageEndpoint: true, respond };
}

/**
 * Validates an image generation (or, with `edit`, an image edit from multipart) and plans its
 * answer. It charges `n` images to ipm and, for GPT image models, the usage total to tpm.
 */
export function planImages(body: RequestBody, env: PlanEnv, edit: boolean): Plan | Reply {
  const { json } = body;
  const model = modelOf(body, env, 'dall-e-2') as string;
  if (edit && !body.files?.images) return missingParam('image');
  const prompt = json.prompt;
  if (typeof prompt !== 'string' || prompt.length === 0) return missingParam('prompt');
  const n = intField(json, 'n', 1, 1, 10);
  if (typeof n === 'string') return invalidParam('n', n);
  const ctx: ImageContext = { model, prompt, n, inputImages: body.files?.images ?? 0, edit, mask: body.files?.mask ?? false };
  const plan = model.startsWith('dall-e') ? planDalle(json, ctx, env) : planGpt(json, ctx, env);
  return !isReply(plan) && REFUSED_PROMPT.test(prompt) ? refusedPlan(ctx, env) : plan;
}
