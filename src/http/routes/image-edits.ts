import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.ts';
import { callFields, type FormPart } from '../../providers/index.ts';
import type { HttpDeps } from '../context.ts';
import { passHeaders, relay } from '../relay.ts';
import { DEFAULT_MODELS, validateBody } from '../validate.ts';

/** Field names that carry image files; the Node SDK sends `image[]` for several images. */
const IMAGE_FIELDS = new Set(['image', 'image[]']);

/** Reads every multipart part into memory (uploads are bounded by `server.maxUploadBytes`). */
async function readParts(req: FastifyRequest): Promise<FormPart[]> {
  if (!req.isMultipart()) {
    throw new GatewayError('unsupported_content_type', 'Image edits must be sent as multipart/form-data.');
  }
  const parts: FormPart[] = [];
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      const data = await part.toBuffer();
      parts.push({ name: part.fieldname, filename: part.filename || 'image.png', contentType: part.mimetype, data });
    } else {
      parts.push({ name: part.fieldname, value: String(part.value) });
    }
  }
  return parts;
}

/** POST /v1/images/edits: multipart with one or several `image` parts and an optional `mask`. */
export function registerImageEdits(app: FastifyInstance, deps: HttpDeps): void {
  app.post('/images/edits', async (req, reply) => {
    const form = await readParts(req);
    const fields = callFields({ form });
    validateBody('images.edits', fields);
    if (!form.some((p) => 'data' in p && IMAGE_FIELDS.has(p.name))) {
      throw new GatewayError('missing_required_parameter', "Missing required parameter: 'image'.", { param: 'image' });
    }
    const model = (fields.model as string | undefined) ?? DEFAULT_MODELS['images.edits'] ?? '';
    await relay(req, reply, deps, {
      endpoint: 'images.edits',
      model,
      form,
      stream: fields.stream === 'true',
      passHeaders: passHeaders(req),
    });
  });
}
