import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.ts';
import type { FileRecord } from '../../store/types.ts';
import type { HttpDeps } from '../context.ts';

const FILE_PURPOSES = new Set(['batch', 'assistants', 'fine-tune', 'vision', 'user_data', 'evals']);

function owner(req: FastifyRequest): string {
  if (!req.client) throw new GatewayError('invalid_api_key', 'Incorrect API key provided.');
  return req.client.name;
}

function fileView(f: FileRecord) {
  return { id: f.id, object: 'file', bytes: f.bytes, created_at: f.createdAt, filename: f.filename, purpose: f.purpose, status: 'processed', status_details: null };
}

/** Reads `file` and `purpose` from a multipart upload. */
async function readUpload(req: FastifyRequest): Promise<{ purpose: string; filename: string; data: Buffer }> {
  if (!req.isMultipart()) throw new GatewayError('unsupported_content_type', 'Files must be uploaded as multipart/form-data.');
  let purpose = '';
  let file: { filename: string; data: Buffer } | undefined;
  for await (const part of req.parts()) {
    if (part.type === 'file' && part.fieldname === 'file') file = { filename: part.filename || 'upload.jsonl', data: await part.toBuffer() };
    else if (part.type === 'file') await part.toBuffer();
    else if (part.fieldname === 'purpose') purpose = String(part.value);
  }
  if (!file) throw new GatewayError('missing_required_parameter', "Missing required parameter: 'file'.", { param: 'file' });
  if (!purpose) throw new GatewayError('missing_required_parameter', "Missing required parameter: 'purpose'.", { param: 'purpose' });
  if (!FILE_PURPOSES.has(purpose)) throw new GatewayError('invalid_value', `Invalid value for 'purpose': ${purpose}.`, { param: 'purpose' });
  return { purpose, ...file };
}

/** `/v1/files` and `/v1/batches`, as the official SDKs call them. Files and batches belong to the client that made them. */
export function registerFileAndBatchRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const files = deps.store.files;
  const batches = deps.batches;

  app.post('/files', async (req) => {
    const up = await readUpload(req);
    const rec: FileRecord = { id: `file-${randomBytes(12).toString('hex')}`, owner: owner(req), purpose: up.purpose, filename: up.filename, bytes: up.data.length, createdAt: Math.floor(Date.now() / 1000) };
    return fileView(await files.put(rec, up.data));
  });

  app.get<{ Querystring: { purpose?: string; limit?: string } }>('/files', async (req) => {
    const list = await files.list(owner(req), { purpose: req.query.purpose, limit: Number(req.query.limit ?? 10_000) || 10_000 });
    return { object: 'list', data: list.map(fileView), has_more: false };
  });

  app.get<{ Params: { id: string } }>('/files/:id', async (req) => {
    const f = await files.get(req.params.id);
    if (f && f.owner === owner(req)) return fileView(f);
    const result = await batches.resultFile(owner(req), req.params.id).catch(() => undefined);
    if (!result) throw new GatewayError('not_found', `No such File object: ${req.params.id}`, { param: 'id' });
    return { id: req.params.id, object: 'file', bytes: result.content.length, created_at: Math.floor(Date.now() / 1000), filename: result.filename, purpose: 'batch_output', status: 'processed', status_details: null };
  });

  app.get<{ Params: { id: string } }>('/files/:id/content', async (req, reply) => {
    const f = await files.get(req.params.id);
    if (f && f.owner === owner(req)) return reply.type('application/octet-stream').send(await files.content(f.id));
    const result = await batches.resultFile(owner(req), req.params.id).catch(() => undefined);
    if (!result) throw new GatewayError('not_found', `No such File object: ${req.params.id}`, { param: 'id' });
    return reply.type('application/jsonl').header('content-disposition', `attachment; filename="${result.filename}"`).send(result.content);
  });

  app.delete<{ Params: { id: string } }>('/files/:id', async (req) => {
    const f = await files.get(req.params.id);
    if (!f || f.owner !== owner(req)) throw new GatewayError('not_found', `No such File object: ${req.params.id}`, { param: 'id' });
    await files.delete(f.id);
    return { id: f.id, object: 'file', deleted: true };
  });

  app.post('/batches', async (req) => {
    if (!req.body || typeof req.body !== 'object') throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
    return batches.create(owner(req), req.body as Record<string, unknown>);
  });

  app.get<{ Querystring: { after?: string; limit?: string } }>('/batches', async (req) => {
    const limit = Math.min(100, Math.max(1, Number(req.query.limit ?? 20) || 20));
    return batches.list(owner(req), req.query.after, limit);
  });

  app.get<{ Params: { id: string } }>('/batches/:id', async (req) => batches.get(owner(req), req.params.id));
  app.post<{ Params: { id: string } }>('/batches/:id/cancel', async (req) => batches.cancel(owner(req), req.params.id));
}
