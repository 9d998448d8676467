import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The one registry of a process: what its metrics server (./server.ts) answers on GET /metrics.
 * Not prom-client's global one, so a library that registers there cannot leak into ours.
 */
export const metricsRegistry = new Registry();

/** Seconds: from 5 ms (a cached read) to 15 s (the gateway's upstream timeout). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];

// Get-or-create: a module loaded twice (tests, two apps in one process) must not throw
// "metric already registered", and both must count into the same series.
function existing<M>(name: string, kind: new (...args: never[]) => M): M | undefined {
  const found = metricsRegistry.getSingleMetric(name);
  if (found === undefined) return undefined;
  if (!(found instanceof kind)) throw new Error(`metric ${name} is registered with another type`);
  return found;
}

export function counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  return existing(name, Counter<L>) ?? new Counter<L>({ name, help, labelNames, registers: [metricsRegistry] });
}

export function gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
  return existing(name, Gauge<L>) ?? new Gauge<L>({ name, help, labelNames, registers: [metricsRegistry] });
}

export function histogram<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
  buckets: number[] = LATENCY_BUCKETS,
): Histogram<L> {
  return existing(name, Histogram<L>) ?? new Histogram<L>({ name, help, labelNames, buckets, registers: [metricsRegistry] });
}

const NAME_LIKE = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

/**
 * A label value from outside the code (an event type, an error code): itself when it looks like a
 * name, else `other` — a label's values must stay few, whatever a caller sends.
 */
export const boundedLabel = (value: string | undefined): string => (value !== undefined && NAME_LIKE.test(value) ? value : 'other');
