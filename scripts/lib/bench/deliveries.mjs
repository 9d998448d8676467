// Event deliveries per app and topic, read from each sidecar's Prometheus metrics (its metrics
// port in dapr.yaml): `dapr_component_pubsub_ingress_count` counts deliveries one event per call,
// `dapr_component_pubsub_ingress_bulk_event_count` the events of bulk deliveries and
// `dapr_component_pubsub_ingress_bulk_count` those bulk calls. A scenario's figure is the
// difference of two readings: events delivered (consumed or not) and app calls made per request.
// Calls are exact. Events of bulk consumers are not: in Dapr 1.18.2 `bulk_event_count` is a Count
// view over (batch, status) recordings (pkg/diagnostics/component_monitoring.go), not a sum of
// entries, so it undercounts a batch of many events. (Redis's `entries-read` per consumer group
// was tried and is no better: after a restart from the AOF it jumps.)

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

/** One reading: `{ [app]: { [topic]: { events, calls } } }` for every app of dapr.yaml with a metrics port. */
export async function readDeliveries(apps, host = '127.0.0.1') {
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
        const topics = {};
        const at = (topic) => (topics[topic] ??= { events: 0, calls: 0 });
        for (const s of samples(text, SINGLE)) {
          at(s.labels.topic).events += s.value;
          at(s.labels.topic).calls += s.value;
        }
        for (const s of samples(text, BULK_EVENTS)) at(s.labels.topic).events += s.value;
        for (const s of samples(text, BULK_CALLS)) at(s.labels.topic).calls += s.value;
        reading[app.appID] = topics;
      }),
  );
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
