import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export interface Sample {
  labels: Record<string, string>;
  value: string;
}
export interface Family {
  name: string;
  help: string;
  type: string;
  metrics: Sample[];
}

/**
 * Parses Prometheus exposition text with a real parser (prom2json's shape). That parser folds
 * only label-less histograms, so histograms are read as their plain `_bucket`, `_sum` and
 * `_count` series: their `# TYPE ... histogram` lines are dropped before parsing.
 */
export function parseMetrics(text: string): Map<string, Family> {
  const families = parsePrometheusTextFormat(text.replace(/^# TYPE \S+ histogram\n/gm, '')) as Family[];
  // Untyped series (the histograms' parts) come as one family per sample: merge them by name.
  const out = new Map<string, Family>();
  for (const f of families) {
    const seen = out.get(f.name);
    if (seen) seen.metrics.push(...f.metrics);
    else out.set(f.name, { ...f, metrics: [...f.metrics] });
  }
  return out;
}

/** The samples of `name` whose labels include `labels`. */
export function samples(m: Map<string, Family>, name: string, labels: Record<string, string> = {}): Sample[] {
  const f = m.get(name);
  if (!f) throw new Error(`metric ${name} is missing`);
  return f.metrics.filter((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
}

/** Sum of the values of the matching samples. */
export function total(m: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  return samples(m, name, labels).reduce((s, x) => s + Number(x.value), 0);
}
