import type { Insertable, Selectable } from 'kysely';
import type { UsageTable } from './db-schema.ts';
import type { UsageRow } from './types.ts';

/** A usage row as written to the `usage` table. */
export function toUsageColumns(r: UsageRow): Insertable<UsageTable> {
  return {
    time: r.time,
    request_id: r.requestId,
    client: r.client,
    account: r.account,
    model: r.model,
    endpoint: r.endpoint,
    status: r.status,
    attempts: r.attempts,
    input_text_tokens: r.inputTextTokens,
    output_text_tokens: r.outputTextTokens,
    input_image_tokens: r.inputImageTokens,
    output_image_tokens: r.outputImageTokens,
    images: r.images,
    cost_nano_usd: r.costNanoUsd,
    queue_ms: r.queueMs,
    upstream_ms: r.upstreamMs,
    cache_hit: r.cacheHit,
  };
}

/** A row of the `usage` table as a {@link UsageRow} (numbers coerced: BIGINTs may arrive as strings elsewhere). */
export function fromUsageColumns(r: Selectable<UsageTable>): UsageRow {
  return {
    time: Number(r.time),
    requestId: r.request_id,
    client: r.client,
    account: r.account,
    model: r.model,
    endpoint: r.endpoint,
    status: Number(r.status),
    attempts: Number(r.attempts),
    inputTextTokens: Number(r.input_text_tokens),
    outputTextTokens: Number(r.output_text_tokens),
    inputImageTokens: Number(r.input_image_tokens),
    outputImageTokens: Number(r.output_image_tokens),
    images: Number(r.images),
    costNanoUsd: Number(r.cost_nano_usd),
    queueMs: Number(r.queue_ms),
    upstreamMs: Number(r.upstream_ms),
    cacheHit: Boolean(r.cache_hit),
  };
}
