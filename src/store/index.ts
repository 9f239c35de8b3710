/**
 * The storage layer: everything Sluice keeps durably (client keys, accounts, the usage ledger,
 * uploaded files, batches and their job queue, the event log) behind one {@link Store} interface, on SQLite (single process) or PostgreSQL (several
 * instances). See DESIGN.md "Where state lives".
 */
export { type OpenStoreOptions, openStore, type StoreConfig } from './open.ts';
export { createSecretBox, MIN_SECRET_LENGTH, masterSecretFrom, type SecretBox, SecretBoxError } from './secret-box.ts';
export * from './types.ts';
export { NO_ACCOUNT_KEY } from './usage-store.ts';
