/**
 * Watches a chat SSE stream go by for the final usage chunk (sent when the client asked for
 * `stream_options.include_usage`), so streamed tokens are reconciled like the others.
 * Cheap on the hot path: a chunk is decoded only when it mentions usage.
 */
export class StreamUsageTap {
  #tail = '';
  /** The last `usage` object seen in the stream. */
  usage: Record<string, unknown> | undefined;

  get tokens(): number | undefined {
    const t = this.usage?.total_tokens;
    return typeof t === 'number' ? t : undefined;
  }

  observe(chunk: Buffer): void {
    if (!this.#tail && chunk.indexOf('"usage":{') === -1) return;
    const text = this.#tail + chunk.toString('utf8');
    const lines = text.split('\n');
    const partial = lines.pop() ?? '';
    // Keep an incomplete last line only when it carries the usage, to finish it with the next chunk.
    this.#tail = partial.includes('"usage":{') && partial.length < 65_536 ? partial : '';
    for (const line of lines) {
      if (!line.startsWith('data: {') || !line.includes('"usage":{')) continue;
      try {
        const usage = (JSON.parse(line.slice(6)) as { usage?: unknown }).usage;
        if (usage && typeof usage === 'object') this.usage = usage as Record<string, unknown>;
      } catch {
        // a partial or odd line: ignore, the estimate stands
      }
    }
  }
}
