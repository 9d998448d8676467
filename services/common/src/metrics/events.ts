import { boundedLabel, counter, histogram } from './registry';

/** What the app answered Dapr for one event (its verdict), in lower case. */
export type EventVerdict = 'success' | 'retry' | 'drop';

const handling = histogram(
  'staycar_event_handling_seconds',
  'Time from an event delivery reaching the app to its verdict (success, retry, drop), by event type.',
  ['type', 'verdict'],
);
const failed = counter(
  'staycar_events_failed_total',
  'Events whose handling failed: retry (Dapr redelivers) or drop (poison, dead-lettered).',
  ['type', 'verdict'],
);
const deadLettered = counter(
  'staycar_events_dead_lettered_total',
  "Events that reached this service's dead-letter topic (dropped as poison, or out of redeliveries), by event type.",
  ['type'],
);

export function recordEventVerdict(type: string, verdict: EventVerdict, seconds: number): void {
  const labels = { type: boundedLabel(type), verdict };
  handling.observe(labels, seconds);
  if (verdict !== 'success') failed.inc(labels);
}

export function recordDeadLettered(type: string): void {
  deadLettered.inc({ type: boundedLabel(type) });
}

/** Seconds since `started` (process.hrtime.bigint()). */
export const secondsSince = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e9;
