import type { Registry } from 'prom-client';

/** What prom-client's registry reads from a metric at scrape time (`get()`). */
interface Values {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }>;
}

/**
 * A metric written on every request, kept as plain numbers in one cell per label tuple and
 * turned into prom-client's values only when `/metrics` is scraped (prom-client's registry
 * takes any object with `name`, `help`, `type` and `get()`). prom-client's own Counter and
 * Histogram build, validate and hash a label object on every `inc`/`observe`, even through a
 * child from `labels()`; here a request finds its cell through a tree of maps (one level per
 * label, so no key string is built) and adds to a number. Label values are bounded by the
 * caller, so the cells are too.
 */
abstract class CellMetric<C extends { labels: Record<string, string> }> {
  abstract readonly type: Values['type'];
  readonly aggregator = 'sum' as const;
  readonly name: string;
  readonly help: string;
  readonly #labelNames: readonly string[];
  readonly #root = new Map<string | number, unknown>();
  protected cells: C[] = [];

  constructor(o: { name: string; help: string; labelNames: readonly string[]; registers: Registry[] }) {
    this.name = o.name;
    this.help = o.help;
    this.#labelNames = o.labelNames;
    for (const r of o.registers) r.registerMetric(this as never);
  }

  protected abstract make(labels: Record<string, string>): C;

  /** The cell for these label values, in the order of `labelNames`. */
  cell(...values: Array<string | number>): C {
    let level = this.#root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(values[i]) as Map<string | number, unknown> | undefined;
      if (!next) level.set(values[i], (next = new Map()));
      level = next;
    }
    let cell = level.get(values[last]) as C | undefined;
    if (cell === undefined) {
      const labels: Record<string, string> = {};
      this.#labelNames.forEach((n, i) => {
        labels[n] = String(values[i]);
      });
      level.set(values[last], (cell = this.make(labels)));
      this.cells.push(cell);
    }
    return cell;
  }

  reset(): void {
    this.#root.clear();
    this.cells = [];
  }

  abstract get(): Promise<Values>;
}

export class CounterCell {
  value = 0;
  readonly labels: Record<string, string>;
  constructor(labels: Record<string, string>) {
    this.labels = labels;
  }
  inc(by = 1): void {
    this.value += by;
  }
}

/** A Prometheus counter of {@link CounterCell}s. */
export class CellCounter extends CellMetric<CounterCell> {
  readonly type = 'counter';

  protected make(labels: Record<string, string>): CounterCell {
    return new CounterCell(labels);
  }

  get(): Promise<Values> {
    const values = this.cells.map((c) => ({ labels: c.labels, value: c.value, metricName: this.name }));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}

export class HistogramCell {
  /** Observations per bucket (not cumulative); the last slot is above every bound (+Inf). */
  readonly counts: number[];
  sum = 0;
  count = 0;
  readonly labels: Record<string, string>;
  readonly #bounds: readonly number[];
  constructor(labels: Record<string, string>, bounds: readonly number[]) {
    this.labels = labels;
    this.#bounds = bounds;
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }
  observe(v: number): void {
    const b = this.#bounds;
    let i = 0;
    while (i < b.length && v > b[i]) i++;
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }
}

/** A Prometheus histogram of {@link HistogramCell}s: `_bucket` (cumulative, `le`), `_sum`, `_count`. */
export class CellHistogram extends CellMetric<HistogramCell> {
  readonly type = 'histogram';
  readonly #buckets: readonly number[];

  constructor(o: { name: string; help: string; labelNames: readonly string[]; buckets: readonly number[]; registers: Registry[] }) {
    super(o);
    this.#buckets = [...o.buckets].sort((a, b) => a - b);
  }

  protected make(labels: Record<string, string>): HistogramCell {
    return new HistogramCell(labels, this.#buckets);
  }

  get(): Promise<Values> {
    const values: Values['values'] = [];
    const bucket = `${this.name}_bucket`;
    for (const c of this.cells) {
      let acc = 0;
      this.#buckets.forEach((le, i) => {
        acc += c.counts[i];
        values.push({ labels: { ...c.labels, le }, value: acc, metricName: bucket });
      });
      values.push({ labels: { ...c.labels, le: '+Inf' }, value: c.count, metricName: bucket });
      values.push({ labels: c.labels, value: c.sum, metricName: `${this.name}_sum` });
      values.push({ labels: c.labels, value: c.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}
