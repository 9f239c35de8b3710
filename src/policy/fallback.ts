import { callFields, type UpstreamCall } from '../providers/index.ts';
import { withFields } from './call-fields.ts';
import { imageFamily, levelOf, qualityFor } from './image-policy.ts';

type Family = ReturnType<typeof imageFamily>;

/** Sizes each image family takes, as [square, landscape, portrait] (OPENAI-WIRE.md "Images"). */
const SIZES: Readonly<Record<Family, readonly string[]>> = {
  gpt: ['1024x1024', '1536x1024', '1024x1536'],
  'dall-e-3': ['1024x1024', '1792x1024', '1024x1792'],
  'dall-e-2': ['1024x1024', '1024x1024', '1024x1024'],
};

/** Parameters only some families take: dropped when another family serves. */
const ONLY: Readonly<Record<Family, readonly string[]>> = {
  gpt: ['background', 'output_format', 'output_compression', 'moderation', 'partial_images', 'input_fidelity'],
  'dall-e-3': ['style'],
  'dall-e-2': [],
};

/** The size of the same shape (square, landscape, portrait) that `to` takes; undefined for `auto`/none. */
function sizeFor(size: unknown, to: Family): string | undefined {
  if (typeof size !== 'string' || size === 'auto') return undefined;
  if (SIZES[to].includes(size) || (to === 'dall-e-2' && (size === '256x256' || size === '512x512'))) return size;
  const [w, h] = size.split('x').map(Number);
  return SIZES[to][w > h ? 1 : w < h ? 2 : 0];
}

/**
 * The same request for a fallback `model`. The model is swapped; between GPT image models and
 * DALL·E the image parameters are translated so the fallback draws what was asked: the quality
 * step (high ↔ hd, medium/low → standard), a size of the same shape (1536x1024 ↔ 1792x1024), and
 * parameters the other family would refuse are dropped. DALL·E answers URLs unless told, so it
 * is asked for the client's delivery format (`imageFormat`) when the request did not say.
 */
export function retarget(call: UpstreamCall, model: string, imageFormat: 'b64_json' | 'url'): UpstreamCall {
  const changes: Record<string, string | undefined> = { model };
  const from = imageFamily(call.model);
  const to = imageFamily(model);
  if (call.endpoint.startsWith('images.') && from !== to) {
    const f = callFields(call);
    const level = levelOf(call.model, f.quality);
    changes.quality = level && qualityFor(model, level);
    changes.size = sizeFor(f.size, to);
    for (const name of ONLY[from]) changes[name] = undefined;
    if (to !== 'gpt' && f.response_format === undefined) changes.response_format = imageFormat;
  }
  return { ...withFields(call, changes), model };
}
