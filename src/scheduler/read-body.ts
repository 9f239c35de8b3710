import type { Readable } from 'node:stream';

/**
 * Reads a whole upstream body into one Buffer. Plain stream events rather than `for await`:
 * the async iterator costs a promise per chunk, and most answers are one chunk.
 */
export function readBody(body: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.once('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    body.once('error', reject);
    // Destroyed without an error (aborted): settle rather than hang. Checked first, since an
    // Error (its stack trace) is dear, and every body closes after its end.
    body.once('close', () => {
      if (!ended) reject(Object.assign(new Error('premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    });
  });
}
