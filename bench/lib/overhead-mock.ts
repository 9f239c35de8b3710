/**
 * The minimal fast upstream of `npm run bench:overhead` and `bench:soak`: an OpenAI-shaped
 * `POST /v1/chat/completions` on loopback that answers a fixed small JSON, or a 20-chunk SSE
 * stream when the body asks for `"stream":true`. A model whose name contains `slow` waits
 * 50 ms before answering (the "50 ms upstream"); any other answers at once. Run as its own
 * process (pinned by the caller); prints `mock listening on <port>`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const SLOW_MS = 50;
const JSON_BODY = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: 'A light running shoe for daily miles.' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
  }),
);
const JSON_HEADERS = { 'content-type': 'application/json', 'content-length': String(JSON_BODY.length) };
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

function chunk(content: string | null, finish: string | null): Buffer {
  const delta = content === null ? {} : { content };
  return Buffer.from(`data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
}

/** 18 content chunks, a finish chunk, a usage chunk (only when asked for), then `[DONE]`. */
const SSE_CHUNKS = [...Array.from({ length: 18 }, (_, i) => chunk(`w${i} `, null)), chunk(null, 'stop')];
const USAGE_CHUNK = Buffer.from(`data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 12, completion_tokens: 18, total_tokens: 30 } })}\n\n`);
const DONE = Buffer.from('data: [DONE]\n\n');

function answer(res: ServerResponse, body: string): void {
  if (!body.includes('"stream":true')) {
    res.writeHead(200, JSON_HEADERS);
    res.end(JSON_BODY);
    return;
  }
  res.writeHead(200, SSE_HEADERS);
  for (const c of SSE_CHUNKS) res.write(c);
  if (body.includes('include_usage')) res.write(USAGE_CHUNK);
  res.end(DONE);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const parts: Buffer[] = [];
  req.on('data', (d: Buffer) => parts.push(d));
  req.on('end', () => {
    const body = parts.length === 1 ? parts[0].toString('latin1') : Buffer.concat(parts).toString('latin1');
    if (body.includes('slow')) setTimeout(answer, SLOW_MS, res, body);
    else answer(res, body);
  });
}

const server = createServer({ keepAliveTimeout: 60_000 }, handle);
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`mock listening on ${(server.address() as { port: number }).port}`);
});
for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, () => process.exit(0));
