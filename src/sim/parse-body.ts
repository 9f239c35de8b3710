import type { IncomingMessage } from 'node:http';
import type { Reply } from './errors.ts';
import { badJson, openaiError } from './errors.ts';
import type { RequestBody } from './plan.ts';

/** Parses a JSON object body; anything else is OpenAI's "could not parse" 400. */
function parseJson(raw: Buffer): RequestBody | Reply {
  try {
    const json: unknown = JSON.parse(raw.toString('utf8'));
    if (json && typeof json === 'object' && !Array.isArray(json)) return { json: json as Record<string, unknown> };
  } catch {
    // fall through to the 400
  }
  return badJson();
}

/**
 * Parses a multipart image edit with the platform's own `Request.formData()`. Images come as
 * `image` or `image[]` (the Node client sends `image[]`), one or several; `mask` is optional.
 */
async function parseMultipart(raw: Buffer, contentType: string): Promise<RequestBody | Reply> {
  let form: FormData;
  try {
    form = await new Request('http://sim/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
  } catch {
    return openaiError(400, 'Could not parse multipart form data.', 'invalid_request_error', null);
  }
  const json: Record<string, unknown> = {};
  let images = 0;
  let mask = false;
  for (const [key, value] of form.entries()) {
    const isFile = typeof value !== 'string';
    if (isFile && (key === 'image' || key === 'image[]')) images++;
    else if (isFile && key === 'mask') mask = true;
    else if (!isFile) json[key] = value;
  }
  return { json, files: { images, mask } };
}

/**
 * Turns a raw body into fields. Image edits are multipart (or JSON with an `images` list of
 * references, as the newer API allows); every other endpoint is JSON.
 */
export async function parseBody(req: IncomingMessage, raw: Buffer, multipart: boolean): Promise<RequestBody | Reply> {
  const contentType = req.headers['content-type'] ?? '';
  if (multipart && /^multipart\/form-data/i.test(contentType)) return parseMultipart(raw, contentType);
  const parsed = parseJson(raw);
  if (!multipart || 'status' in parsed) return parsed;
  const refs = parsed.json.images;
  return { json: parsed.json, files: { images: Array.isArray(refs) ? refs.length : 0, mask: parsed.json.mask != null } };
}
