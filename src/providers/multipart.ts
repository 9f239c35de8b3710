import { randomBytes } from 'node:crypto';
import type { FormPart } from './types.ts';

/**
 * A multipart/form-data body (RFC 7578) kept as a list of buffers: the framing is a few small
 * buffers, the files are the client's own bytes, never copied. Building it with `FormData` and
 * `new Response(form).arrayBuffer()` copied a 20 MB upload twice more (into a Blob, then into
 * the serialised body) on every attempt.
 */
export class MultipartBody {
  readonly contentType: string;
  readonly chunks: readonly Buffer[];
  /** Total bytes, sent as `content-length` (no chunked encoding). */
  readonly length: number;

  constructor(parts: readonly FormPart[]) {
    const boundary = `----sluice${randomBytes(12).toString('hex')}`;
    const chunks: Buffer[] = [];
    for (const p of parts) {
      if ('data' in p) {
        chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(p.name)}"; filename="${quoted(p.filename)}"\r\nContent-Type: ${p.contentType.replace(/[\r\n]/g, '')}\r\n\r\n`));
        chunks.push(p.data, Buffer.from('\r\n'));
      } else {
        chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(p.name)}"\r\n\r\n${p.value}\r\n`));
      }
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    this.contentType = `multipart/form-data; boundary=${boundary}`;
    this.chunks = chunks;
    this.length = chunks.reduce((n, c) => n + c.length, 0);
  }
}

/** Field and file names as the HTML standard encodes them in a multipart header. */
function quoted(name: string): string {
  return name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
