import sharp from 'sharp';
import { sniffContentType } from './sniff.ts';

/** Formats {@link convertImage} writes. */
export type OutputFormat = 'png' | 'jpeg' | 'webp';

const CONTENT_TYPES: Readonly<Record<OutputFormat, string>> = Object.freeze({ png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' });

function isOutputFormat(f: unknown): f is OutputFormat {
  return f === 'png' || f === 'jpeg' || f === 'webp';
}

/** Parses "WxH" (each 1..16384). */
function parseSize(size: string): { width: number; height: number } {
  const m = /^(\d{1,5})x(\d{1,5})$/.exec(size);
  const width = m ? Number(m[1]) : 0;
  const height = m ? Number(m[2]) : 0;
  if (width < 1 || height < 1 || width > 16384 || height > 16384) throw new Error(`Invalid image size "${size}": expected "WxH", e.g. "512x512" (1 to 16384 each).`);
  return { width, height };
}

/** The output format: the one asked for, else the input's own when it is one of ours, else png. */
function targetFormat(data: Buffer, format: unknown): OutputFormat {
  if (format !== undefined) {
    if (!isOutputFormat(format)) throw new Error(`Unsupported image format "${String(format)}": use png, jpeg or webp.`);
    return format;
  }
  const sniffed = sniffContentType(data).replace('image/', '');
  return isOutputFormat(sniffed) ? sniffed : 'png';
}

/**
 * Converts `data` to `format` (png|jpeg|webp) and optionally resizes to fit `size` ("WxH"), keeping
 * aspect; returns the new bytes and content type. Without `format` the input's format is kept.
 * Never enlarges (a bigger `size` leaves the dimensions as they are); transparency becomes white
 * in jpeg; metadata is dropped. Throws a clear Error for an unsupported format, a malformed size,
 * a quality outside 1..100 or bytes that are not an image.
 */
export async function convertImage(data: Buffer, opts: { format?: OutputFormat; size?: string; quality?: number }): Promise<{ data: Buffer; contentType: string }> {
  const format = targetFormat(data, opts.format);
  const quality = opts.quality;
  if (quality !== undefined && (!Number.isInteger(quality) || quality < 1 || quality > 100)) throw new Error(`Invalid image quality ${quality}: expected an integer from 1 to 100.`);
  const box = opts.size === undefined ? undefined : parseSize(opts.size);
  let img = sharp(data, { failOn: 'error' });
  if (box) img = img.resize({ ...box, fit: 'inside', withoutEnlargement: true });
  if (format === 'jpeg') img = img.flatten({ background: '#ffffff' }).jpeg({ quality, mozjpeg: true });
  else if (format === 'webp') img = img.webp({ quality });
  else img = img.png();
  try {
    return { data: await img.toBuffer(), contentType: CONTENT_TYPES[format] };
  } catch (err) {
    throw new Error(`Cannot convert image to ${format}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
