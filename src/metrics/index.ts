/** Prometheus metrics: counters recorded in Redis by workers, exposed by the API at scrape. */
export type { CollectOptions } from './collect.ts';
export { collectMetrics, METRICS_CONTENT_TYPE } from './collect.ts';
export type { MetricsPluginOptions } from './plugin.ts';
export { metricsPlugin } from './plugin.ts';
export type { RoundMetrics } from './recorder.ts';
export { MetricsRecorder } from './recorder.ts';
export { MAX_PROVIDER_LABELS } from './top.ts';
