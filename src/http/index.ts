export { BatchedLineWriter } from './log-stream.ts';
export { buildHttpServer } from './server.ts';
export type { HttpDeps } from './context.ts';
