import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One object held by the fake. */
export interface FakeObject {
  data: Buffer;
  contentType: string;
  lastModified: Date;
}

/** A running fake S3 server (path-style, one bucket). */
export interface FakeS3 {
  endpoint: string;
  /** The bucket's objects by key; tests may age them by changing `lastModified`. */
  objects: Map<string, FakeObject>;
  /** "METHOD /path?query" of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xmlUnescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/xml', ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function error(res: ServerResponse, status: number, code: string): void {
  send(res, status, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
}

function list(res: ServerResponse, q: URLSearchParams, objects: Map<string, FakeObject>, pageSize: number): void {
  const prefix = q.get('prefix') ?? '';
  const keys = [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  const start = Number(q.get('continuation-token') ?? '0');
  const page = keys.slice(start, start + pageSize);
  const truncated = start + pageSize < keys.length;
  const contents = page
    .map((k) => {
      const o = objects.get(k) as FakeObject;
      return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>"e"</ETag><Size>${o.data.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    })
    .join('');
  const next = truncated ? `<NextContinuationToken>${start + pageSize}</NextContinuationToken>` : '';
  send(res, 200, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${pageSize}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${next}${contents}</ListBucketResult>`);
}

async function handle(req: IncomingMessage, res: ServerResponse, bucket: string, objects: Map<string, FakeObject>, pageSize: number): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  if (!/^AWS4-HMAC-SHA256 Credential=TESTKEY\//.test(req.headers.authorization ?? '')) return error(res, 403, 'AccessDenied');
  const [, b, ...rest] = url.pathname.split('/');
  if (b !== bucket) return error(res, 404, 'NoSuchBucket');
  const key = decodeURIComponent(rest.join('/'));
  if (key === '' && req.method === 'GET' && url.searchParams.get('list-type') === '2') return list(res, url.searchParams, objects, pageSize);
  if (key === '' && req.method === 'POST' && url.searchParams.has('delete')) {
    // Like S3: DeleteObjects must carry an integrity header.
    if (!Object.keys(req.headers).some((h) => h === 'content-md5' || h.startsWith('x-amz-checksum-'))) return error(res, 400, 'MissingContentMD5');
    const keys = [...body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => xmlUnescape(m[1]));
    for (const k of keys) objects.delete(k);
    return send(res, 200, '<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>');
  }
  if (key !== '' && req.method === 'PUT') {
    objects.set(key, { data: body, contentType: req.headers['content-type'] ?? 'binary/octet-stream', lastModified: new Date() });
    return send(res, 200, '', { etag: '"e"' });
  }
  if (key !== '' && req.method === 'GET') {
    const o = objects.get(key);
    if (!o) return error(res, 404, 'NoSuchKey');
    return send(res, 200, o.data, { 'content-type': o.contentType, etag: '"e"', 'last-modified': o.lastModified.toUTCString() });
  }
  error(res, 501, 'NotImplemented');
}

/**
 * Starts a fake S3 on 127.0.0.1 implementing only what the image store uses, path-style:
 * PutObject, GetObject, ListObjectsV2 (pages of `pageSize`) and DeleteObjects. Requests must be
 * SigV4-signed with access key id `TESTKEY` (the signature itself is not checked).
 */
export async function startFakeS3(bucket: string, pageSize = 1000): Promise<FakeS3> {
  const objects = new Map<string, FakeObject>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handle(req, res, bucket, objects, pageSize).catch(() => error(res, 500, 'InternalError'));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    requests,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}
