// Event deliveries per app and topic. App calls from each sidecar's Prometheus metrics (its metrics
// port in dapr.yaml): `dapr_component_pubsub_ingress_count` counts deliveries of one event per call,
// `dapr_component_pubsub_ingress_bulk_count` bulk calls. Events delivered: on Redis Streams the
// consumer group's `entries-read` (XINFO GROUPS: what the app's sidecar read from the stream),
// exact also for bulk consumers; elsewhere the metrics' count, where a bulk call's events are
// `dapr_component_pubsub_ingress_bulk_event_count` — a Count view over (batch, status) recordings
// in Dapr 1.18.2 (pkg/diagnostics/component_monitoring.go), not a sum of entries: an undercount.
// A scenario's figure is the difference of two readings.
import Redis from 'ioredis';

const SINGLE = 'dapr_component_pubsub_ingress_count';
const BULK_EVENTS = 'dapr_component_pubsub_ingress_bulk_event_count';
const BULK_CALLS = 'dapr_component_pubsub_ingress_bulk_count';

/** `name{labels} value` lines of one metric, as {labels, value}. */
function samples(text, name) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.lastIndexOf('}');
    const labels = Object.fromEntries([...line.slice(name.length + 1, close).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    out.push({ labels, value: Number(line.slice(close + 1).trim()) });
  }
  return out;
}

const pairs = (flat) => {
  const out = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
};

/** Redis Streams: entries read per consumer group (= app id) of each topic. */
async function entriesRead(port, topics) {
  const redis = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 1 });
  const read = {};
  try {
    await redis.connect();
    for (const topic of topics) {
      if (!(await redis.exists(topic))) continue;
      for (const g of (await redis.call('XINFO', 'GROUPS', topic)).map(pairs)) {
        ((read[g.name] ??= {})[topic] = Number(g['entries-read'] ?? 0));
      }
    }
  } finally {
    redis.disconnect();
  }
  return read;
}

/**
 * One reading: `{ [app]: { [topic]: { events, calls } } }` for every app of dapr.yaml with a
 * metrics port; `redisPort` (Redis Streams profiles) makes `events` exact for bulk consumers.
 */
export async function readDeliveries(apps, { redisPort, topics = [] } = {}, host = '127.0.0.1') {
  const reading = {};
  await Promise.all(
    apps
      .filter((a) => a.metricsPort)
      .map(async (app) => {
        let text;
        try {
          const res = await fetch(`http://${host}:${app.metricsPort}/`, { signal: AbortSignal.timeout(5000) });
          text = await res.text();
        } catch {
          return;
        }
        const at = (topic) => ((reading[app.appID] ??= {})[topic] ??= { events: 0, calls: 0 });
        for (const s of samples(text, SINGLE)) {
          at(s.labels.topic).events += s.value;
          at(s.labels.topic).calls += s.value;
        }
        for (const s of samples(text, BULK_EVENTS)) at(s.labels.topic).events += s.value;
        for (const s of samples(text, BULK_CALLS)) at(s.labels.topic).calls += s.value;
      }),
  );
  if (redisPort) {
    const read = await entriesRead(redisPort, topics);
    for (const [app, byTopic] of Object.entries(reading)) {
      for (const [topic, d] of Object.entries(byTopic)) if (read[app]?.[topic] !== undefined) d.events = read[app][topic];
    }
  }
  return reading;
}

/** What happened between two readings, and per `per` requests: totals, and per app and topic. */
export function deliveriesBetween(before, after, per) {
  const byAppTopic = {};
  let events = 0;
  let calls = 0;
  for (const [app, topics] of Object.entries(after)) {
    for (const [topic, now] of Object.entries(topics)) {
      const then = before[app]?.[topic] ?? { events: 0, calls: 0 };
      const d = { events: now.events - then.events, calls: now.calls - then.calls };
      if (d.events === 0 && d.calls === 0) continue;
      byAppTopic[`${app} ← ${topic}`] = d;
      events += d.events;
      calls += d.calls;
    }
  }
  const ratio = (n) => (per > 0 ? Math.round((n / per) * 100) / 100 : null);
  return { events, calls, eventsPerRequest: ratio(events), callsPerRequest: ratio(calls), byAppTopic };
}

/** The topics the consumers of dapr.yaml read (their EVENTS_TOPICS), or `fallback` when none names any. */
export function consumedTopics(apps, fallback) {
  const topics = new Set(apps.flatMap((a) => String(a.env?.EVENTS_TOPICS ?? '').split(',')).filter((t) => t !== ''));
  return topics.size > 0 ? [...topics] : [fallback];
}
