import type { Kysely, Selectable } from 'kysely';
import type { FilesTable, StoreDb } from './db-schema.ts';
import type { FileRecord, FileStore } from './types.ts';

/** Every column but `content`: metadata reads never load the bytes. */
const META = ['id', 'owner', 'purpose', 'filename', 'bytes', 'created_at'] as const;

function toRecord(r: Omit<Selectable<FilesTable>, 'content'>): FileRecord {
  return {
    id: r.id,
    owner: r.owner,
    purpose: r.purpose,
    filename: r.filename,
    bytes: Number(r.bytes),
    createdAt: Number(r.created_at),
  };
}

/** `pg` already returns a Buffer; `node:sqlite` a Uint8Array, wrapped here without copying. */
function toBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * {@link FileStore} over Kysely (SQLite and PostgreSQL alike). The content lives in the same
 * row as the metadata (BYTEA / BLOB, last column) so that a file is written atomically, with no
 * second place to clean up; every read except {@link content} leaves it out.
 */
export class SqlFileStore implements FileStore {
  readonly #db: Kysely<StoreDb>;

  constructor(db: Kysely<StoreDb>) {
    this.#db = db;
  }

  /**
   * Stores the file; `bytes` is taken from the content itself so that the record can never
   * disagree with what is served. A taken id is an error (ids are random, so it is a bug).
   */
  async put(rec: FileRecord, content: Buffer): Promise<FileRecord> {
    const stored: FileRecord = { ...rec, bytes: content.byteLength };
    await this.#db
      .insertInto('files')
      .values({
        id: stored.id,
        owner: stored.owner,
        purpose: stored.purpose,
        filename: stored.filename,
        bytes: stored.bytes,
        created_at: stored.createdAt,
        content,
      })
      .execute();
    return stored;
  }

  async get(id: string): Promise<FileRecord | undefined> {
    const row = await this.#db.selectFrom('files').select(META).where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async content(id: string): Promise<Buffer | undefined> {
    const row = await this.#db.selectFrom('files').select('content').where('id', '=', id).executeTakeFirst();
    return row && toBuffer(row.content);
  }

  /** Newest first (ties by id, descending), optionally of one purpose; all of them without `limit`. */
  async list(owner: string, opts: { purpose?: string; limit?: number } = {}): Promise<FileRecord[]> {
    const rows = await this.#db
      .selectFrom('files')
      .select(META)
      .where('owner', '=', owner)
      .$if(opts.purpose !== undefined, (qb) => qb.where('purpose', '=', opts.purpose!))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .$if(opts.limit !== undefined, (qb) => qb.limit(opts.limit!))
      .execute();
    return rows.map(toRecord);
  }

  async delete(id: string): Promise<boolean> {
    const res = await this.#db.deleteFrom('files').where('id', '=', id).executeTakeFirst();
    return res.numDeletedRows > 0n;
  }
}
