export { Metrics } from './metrics.ts';
export { RequestSeries, SERIES_STEP_SECONDS, type SeriesView } from './series.ts';
export type { AccountGaugeSource, BatchGaugeSource, CacheGaugeSource, HttpObservation, MetricSources, UsageObservation } from './types.ts';
