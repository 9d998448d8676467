export { metricsRegistry, counter, gauge, histogram, boundedLabel, LATENCY_BUCKETS } from './registry';
export { httpMetrics, labelRoute, routeTemplateOf, UNMATCHED_ROUTE } from './http';
export { metricsPortFromEnv, startMetricsServer } from './server';
export type { EventVerdict } from './events';
