import { IMAGE_QUALITIES } from '../config/index.ts';
import { GatewayError } from '../errors/index.ts';
import { callFields, type UpstreamCall } from '../providers/index.ts';
import { withFields } from './call-fields.ts';

/** An image quality step, best first (see IMAGE_QUALITIES). */
export type QualityLevel = (typeof IMAGE_QUALITIES)[number];

/** A client's image ceilings and defaults (config `clients[].images`). */
export interface ImagePolicy {
  readonly maxQuality?: QualityLevel;
  readonly maxSize?: string;
  readonly defaultQuality?: QualityLevel;
  readonly defaultSize?: string;
}

/** What a policy changed in a request, reported as `x-sluice-policy: quality=medium, size=1024x1024`. */
export type PolicyNotes = Record<string, string>;

/** The largest size `size: auto` may pick for GPT image models (1536x1024 or 1024x1536). */
const LARGEST_AUTO_PIXELS = 1536 * 1024;

const rank = (q: QualityLevel): number => IMAGE_QUALITIES.indexOf(q);

/** Pixels of a `WxH` size. */
export function pixels(size: string): number {
  const [w, h] = size.split('x').map(Number);
  return w * h;
}

/** How a model names quality: GPT image models low/medium/high, DALL·E 3 standard/hd, DALL·E 2 not at all. */
export function imageFamily(model: string): 'gpt' | 'dall-e-3' | 'dall-e-2' {
  if (model === 'dall-e-3') return 'dall-e-3';
  return model.startsWith('dall-e') ? 'dall-e-2' : 'gpt';
}

/** The step a request's `quality` stands for; undefined when absent, `auto` or unknown. */
export function levelOf(model: string, quality: unknown): QualityLevel | undefined {
  const family = imageFamily(model);
  if (family === 'dall-e-3') return quality === 'hd' ? 'high' : quality === 'standard' ? 'medium' : undefined;
  if (family === 'dall-e-2') return undefined;
  return IMAGE_QUALITIES.includes(quality as QualityLevel) ? (quality as QualityLevel) : undefined;
}

/** The `quality` value that asks `model` for `level` (DALL·E 3: only `high` is `hd`). */
export function qualityFor(model: string, level: QualityLevel): string | undefined {
  const family = imageFamily(model);
  if (family === 'dall-e-3') return level === 'high' ? 'hd' : 'standard';
  return family === 'dall-e-2' ? undefined : level;
}

/**
 * Applies a client's image policy before the request is estimated and scheduled ("low for
 * thumbnails, high only for the hero image"): a missing or `auto` quality/size gets the
 * client's default; a quality above `maxQuality` is served at `maxQuality` (the picture asked
 * for, only cheaper); a size above `maxSize` (by pixels) is refused with 400, since another
 * size would change the picture's shape the caller lays out.
 */
export function applyImagePolicy(policy: ImagePolicy | undefined, call: UpstreamCall): { call: UpstreamCall; notes: PolicyNotes | undefined } {
  if (!policy || !call.endpoint.startsWith('images.')) return { call, notes: undefined };
  const f = callFields(call);
  const changes: Record<string, string> = {};
  const asked = levelOf(call.model, f.quality);
  // `auto` may pick high: under a lower ceiling it becomes the ceiling.
  let level = asked ?? policy.defaultQuality ?? (policy.maxQuality === 'high' ? undefined : policy.maxQuality);
  if (level && policy.maxQuality && rank(level) < rank(policy.maxQuality)) level = policy.maxQuality;
  const quality = level && qualityFor(call.model, level);
  if (quality && quality !== f.quality) changes.quality = quality;

  const size = typeof f.size === 'string' && f.size !== 'auto' ? f.size : undefined;
  if (size && policy.maxSize && pixels(size) > pixels(policy.maxSize)) {
    throw new GatewayError('invalid_value', `Invalid value for 'size': ${size} is larger than this key may ask for (at most ${policy.maxSize}, by pixels).`, { param: 'size' });
  }
  if (!size) {
    const capped = policy.maxSize && imageFamily(call.model) === 'gpt' && pixels(policy.maxSize) < LARGEST_AUTO_PIXELS ? policy.maxSize : undefined;
    const chosen = policy.defaultSize ?? capped;
    if (chosen) changes.size = chosen;
  }
  if (Object.keys(changes).length === 0) return { call, notes: undefined };
  return { call: withFields(call, changes), notes: changes };
}

/** The call with its explicit quality one step lower (high → medium → low; DALL·E 3 hd → standard), or undefined. */
export function lowerQuality(call: UpstreamCall): { call: UpstreamCall; quality: string } | undefined {
  const level = levelOf(call.model, callFields(call).quality);
  const i = level ? rank(level) : -1;
  if (i < 0 || i >= IMAGE_QUALITIES.length - 1) return undefined;
  const quality = qualityFor(call.model, IMAGE_QUALITIES[i + 1]);
  if (!quality || quality === callFields(call).quality) return undefined;
  return { call: withFields(call, { quality }), quality };
}
