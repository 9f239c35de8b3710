import { mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { contentTypeOfId, isImageId, newImageId } from './ids.ts';
import type { ImageStore, StoredImage } from './types.ts';

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/**
 * Images as files in one folder (created on first write). File names are only ever generated ids;
 * `get` refuses anything that is not one, so a caller's string never becomes a path. Sweep goes by mtime.
 */
export class LocalImageStore implements ImageStore {
  readonly #dir: string;

  /** @param dir the folder, relative to the working directory or absolute. */
  constructor(dir: string) {
    this.#dir = resolve(dir);
  }

  async put(data: Buffer, contentType: string): Promise<StoredImage> {
    const { id, contentType: type } = newImageId(contentType);
    await mkdir(this.#dir, { recursive: true });
    await writeFile(join(this.#dir, id), data, { flag: 'wx' });
    return { id, contentType: type, bytes: data.length };
  }

  async get(id: string): Promise<{ data: Buffer; contentType: string } | undefined> {
    if (!isImageId(id)) return undefined;
    try {
      return { data: await readFile(join(this.#dir, id)), contentType: contentTypeOfId(id) };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async sweep(olderThanMs: number): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch (err) {
      if (isMissing(err)) return 0;
      throw err;
    }
    let deleted = 0;
    for (const name of names.filter(isImageId)) {
      const path = join(this.#dir, name);
      try {
        if ((await stat(path)).mtimeMs >= olderThanMs) continue;
        await unlink(path);
        deleted++;
      } catch (err) {
        if (!isMissing(err)) throw err; // another sweeper got there first
      }
    }
    return deleted;
  }
}
