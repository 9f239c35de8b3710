import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.ts';
import { convertImage, type ImageStore, sniffContentType, type UrlSigner } from '../images/index.ts';
import type { ClientIdentity } from '../policy/index.ts';
import { callFields, type UpstreamCall } from '../providers/index.ts';

/** How the images of one answer reach the client. */
export interface DeliveryPlan {
  /** The call as sent upstream (Sluice's own parameters removed). */
  call: UpstreamCall;
  /** Store the images and answer with signed URLs instead of `b64_json`. */
  toUrl: boolean;
  /** Convert on the way (`sluice_output_format`, `sluice_size`). */
  convert?: { format?: 'png' | 'jpeg' | 'webp'; size?: string };
}

export interface DeliveryDeps {
  images: ImageStore;
  signer: UrlSigner;
  urlTtlMs: number;
  publicBaseUrl: string | undefined;
}

const FORMATS = new Set(['png', 'jpeg', 'webp']);


function withoutFields(call: UpstreamCall, names: readonly string[]): UpstreamCall {
  if (call.json) {
    if (!names.some((n) => n in (call.json ?? {}))) return call;
    const json = { ...call.json };
    for (const n of names) delete json[n];
    return { ...call, json, rawJson: undefined };
  }
  if (call.form) return { ...call, form: call.form.filter((p) => !names.includes(p.name)) };
  return call;
}

/**
 * Plans image delivery for an image request: `response_format: "url"` (or the client's default)
 * means Sluice stores the image and hands out a signed URL — GPT image models only ever answer
 * `b64_json`, so for them `response_format` is not sent upstream. `sluice_output_format` and
 * `sluice_size` ask for a conversion on the way.
 */
export function planImageDelivery(client: ClientIdentity, call: UpstreamCall): DeliveryPlan {
  if (!call.endpoint.startsWith('images.')) return { call, toUrl: false };
  const f = callFields(call);
  const asked = (f.response_format as string | undefined) ?? client.imageResponseFormat;
  if (asked !== 'url' && asked !== 'b64_json') throw new GatewayError('invalid_value', "response_format must be 'url' or 'b64_json'.", { param: 'response_format' });
  const format = f.sluice_output_format as string | undefined;
  if (format !== undefined && !FORMATS.has(format)) throw new GatewayError('invalid_value', 'sluice_output_format must be png, jpeg or webp.', { param: 'sluice_output_format' });
  const size = f.sluice_size as string | undefined;
  if (size !== undefined && !/^\d{1,5}x\d{1,5}$/.test(size)) throw new GatewayError('invalid_value', "sluice_size must look like '512x512'.", { param: 'sluice_size' });
  const convert = format || size ? { format: format as 'png' | 'jpeg' | 'webp' | undefined, size } : undefined;
  const gptImage = /^gpt-image/.test(call.model);
  // Sluice stores the bytes itself when it converts or when the model cannot give URLs.
  const selfStore = asked === 'url' && (gptImage || convert !== undefined);
  let upstream = withoutFields(call, ['sluice_output_format', 'sluice_size']);
  if (gptImage) upstream = withoutFields(upstream, ['response_format']);
  else if (convert && upstream.json) upstream = { ...upstream, json: { ...upstream.json, response_format: 'b64_json' }, rawJson: undefined };
  return { call: upstream, toUrl: selfStore, convert };
}

function baseUrl(req: FastifyRequest, configured: string | undefined): string {
  if (configured) return configured.replace(/\/+$/, '');
  return `${req.protocol}://${req.host}`;
}

/** Applies the plan to an image answer: converts and/or stores each image. Returns the new JSON bytes, or undefined when nothing changes. */
export async function deliverImages(req: FastifyRequest, plan: DeliveryPlan, json: Record<string, unknown>, deps: DeliveryDeps): Promise<Buffer | undefined> {
  if (!plan.toUrl && !plan.convert) return undefined;
  const data = Array.isArray(json.data) ? (json.data as Array<Record<string, unknown>>) : [];
  if (!data.some((d) => typeof d.b64_json === 'string')) return undefined;
  const expires = Date.now() + deps.urlTtlMs;
  const out = await Promise.all(
    data.map(async (item) => {
      if (typeof item.b64_json !== 'string') return item;
      let bytes: Buffer = Buffer.from(item.b64_json, 'base64');
      let contentType = sniffContentType(bytes);
      if (plan.convert) ({ data: bytes, contentType } = await convertImage(bytes, plan.convert));
      const { b64_json: _b64, ...rest } = item;
      if (!plan.toUrl) return { ...rest, b64_json: bytes.toString('base64') };
      const stored = await deps.images.put(bytes, contentType);
      return { ...rest, url: `${baseUrl(req, deps.publicBaseUrl)}${deps.signer.sign(stored.id, expires)}` };
    }),
  );
  const extra = plan.convert?.format ? { output_format: plan.convert.format } : {};
  return Buffer.from(JSON.stringify({ ...json, ...extra, data: out }));
}
