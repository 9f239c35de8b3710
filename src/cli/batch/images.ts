/**
 * `--images-dir`: writes the images of an image answer to files and replaces them in the
 * output line by `{"file": "<path>"}` (b64_json answers are decoded, url answers downloaded),
 * so the output stays small. The file of data[i] is `<custom_id>.<ext>` for a single image
 * and `<custom_id>-<i>.<ext>` when the answer has several.
 */
import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { fetch } from 'undici';
import { describeFetchError } from './request.ts';
import type { HeaderLookup } from './retry.ts';
import { retryDelayMs, shouldRetryStatus } from './retry.ts';
import { isObject } from './types.ts';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$/;

/**
 * A file name stem for a custom_id: the id itself when it is a safe name, else the id with
 * unsafe characters replaced and a short hash of the original (so two ids never share a file).
 */
export function fileStem(customId: string): string {
  if (SAFE_ID.test(customId) && !customId.includes('..')) return customId;
  const hash = createHash('sha256').update(customId).digest('hex').slice(0, 8);
  const cleaned = customId
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/\.{2,}/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, 100);
  return cleaned ? `${cleaned}-${hash}` : hash;
}

const EXT_BY_TYPE: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/webp': 'webp', 'image/gif': 'gif' };

function cleanExt(ext: unknown): string | undefined {
  return typeof ext === 'string' && /^[a-z0-9]{1,5}$/i.test(ext) ? ext.toLowerCase() : undefined;
}

/** Extension of a downloaded image: from its content-type, else its URL path, else png. */
export function extOfDownload(contentType: string | null, url: string): string {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  if (type && EXT_BY_TYPE[type]) return EXT_BY_TYPE[type];
  try {
    const m = /\.([A-Za-z0-9]{1,5})$/.exec(new URL(url).pathname);
    if (m) return m[1].toLowerCase();
  } catch {
    // not a URL we can read an extension from
  }
  return 'png';
}

export interface ImageSaveContext {
  dir: string;
  dispatcher: Dispatcher;
  timeoutMs: number;
  maxRetries: number;
  abort: AbortSignal;
  /** Sent with downloads from the API's own origin only (never to a third-party storage URL). */
  auth?: { origin: string; key: string };
}

export interface SavedImages {
  /** The answer body with images replaced by `{file}` entries. */
  body: unknown;
  files: string[];
  /** Downloads that failed: their entries keep `url` and get a `download_error`. */
  downloadErrors: string[];
}

async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.part`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

/** GETs an image URL, retrying like the API requests. */
async function download(url: string, ctx: ImageSaveContext): Promise<{ bytes: Uint8Array; contentType: string | null }> {
  const headers: Record<string, string> = {};
  if (ctx.auth && new URL(url).origin === ctx.auth.origin) headers.authorization = `Bearer ${ctx.auth.key}`;
  for (let retries = 0; ; retries++) {
    let error: string;
    let answerHeaders: HeaderLookup | undefined;
    try {
      const res = await fetch(url, { headers, dispatcher: ctx.dispatcher, signal: AbortSignal.any([AbortSignal.timeout(ctx.timeoutMs), ctx.abort]) });
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (res.ok) return { bytes, contentType: res.headers.get('content-type') };
      error = `HTTP ${res.status}`;
      if (!shouldRetryStatus(res.status, res.headers)) throw new Error(error);
      answerHeaders = res.headers;
    } catch (err) {
      if (ctx.abort.aborted) throw err;
      if (err instanceof Error && err.message.startsWith('HTTP ')) throw err;
      error = describeFetchError(err);
    }
    if (retries >= ctx.maxRetries) throw new Error(error);
    await sleep(retryDelayMs(answerHeaders, retries), undefined, { signal: ctx.abort });
  }
}

/**
 * Saves the images of a 2xx `/v1/images/generations` answer. Entries that are neither b64 nor
 * url are left as they are. Throws only when `ctx.abort` fires (the item is then interrupted).
 */
export async function saveImages(body: unknown, customId: string, requestBody: Record<string, unknown>, ctx: ImageSaveContext): Promise<SavedImages> {
  if (!isObject(body) || !Array.isArray(body.data)) return { body, files: [], downloadErrors: [] };
  const data = body.data as unknown[];
  const stem = fileStem(customId);
  const name = (i: number, ext: string) => join(ctx.dir, `${stem}${data.length > 1 ? `-${i}` : ''}.${ext}`);
  const files: string[] = [];
  const downloadErrors: string[] = [];
  const out = await Promise.all(
    data.map(async (entry, i) => {
      if (!isObject(entry)) return entry;
      const { b64_json, url, ...rest } = entry;
      if (typeof b64_json === 'string') {
        const path = name(i, cleanExt(body.output_format) ?? cleanExt(requestBody.output_format) ?? 'png');
        await writeAtomic(path, Buffer.from(b64_json, 'base64'));
        files.push(path);
        return { file: path, ...rest };
      }
      if (typeof url === 'string') {
        try {
          const got = await download(url, ctx);
          const path = name(i, extOfDownload(got.contentType, url));
          await writeAtomic(path, got.bytes);
          files.push(path);
          return { file: path, ...rest };
        } catch (err) {
          if (ctx.abort.aborted) throw err;
          const message = `${(err as Error).message}`;
          downloadErrors.push(`${customId}: ${url}: ${message}`);
          return { url, ...rest, download_error: message };
        }
      }
      return entry;
    }),
  );
  return { body: { ...body, data: out }, files, downloadErrors };
}
