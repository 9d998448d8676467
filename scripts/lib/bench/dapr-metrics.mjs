// What the sidecars counted during a scenario, from each daprd's Prometheus endpoint (its
// metricsPort in dapr.yaml): event deliveries to apps by topic, outbox-internal deliveries, publishes,
// and state-store operations by app and operation. Read before and after the load (after the
// events drained), so the difference is the scenario's own work.

const COUNTERS = ['dapr_component_pubsub_ingress_count', 'dapr_component_pubsub_egress_count', 'dapr_component_state_count'];
const LINE = /^([a-z_]+)\{([^}]*)\}\s+([0-9.eE+-]+)$/;
const LABEL = /([a-z_]+)="((?:[^"\\]|\\.)*)"/g;

/** The counters of interest in one Prometheus text exposition, as [{name, labels, value}]. */
export function parseCounters(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m || !COUNTERS.includes(m[1])) continue;
    const labels = {};
    for (const [, k, v] of m[2].matchAll(LABEL)) labels[k] = v;
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

const keyOf = (s) => `${s.name}|${Object.entries(s.labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',')}`;

/** Every app's counters (an app whose sidecar does not answer is left out and named). */
export async function scrape(apps) {
  const samples = new Map();
  const missing = [];
  await Promise.all(
    apps
      .filter((a) => a.metricsPort)
      .map(async (a) => {
        try {
          const res = await fetch(`http://127.0.0.1:${a.metricsPort}/metrics`, { signal: AbortSignal.timeout(5_000) });
          for (const s of parseCounters(await res.text())) samples.set(keyOf(s), s);
        } catch {
          missing.push(a.appID);
        }
      }),
  );
  return { samples, missing };
}

/**
 * The scenario's counts: `after` − `before`, summed into deliveries (to apps, by app and topic; the
 * outbox's internal topic apart), publishes and state operations (by app and operation), and per
 * `operations` (the scenario's primary answers) when given.
 */
export function countsBetween(before, after, operations) {
  const deliveries = {};
  const outboxInternal = {};
  const publishes = {};
  const stateOps = {};
  let failedStateOps = 0;
  for (const [key, s] of after.samples) {
    const delta = s.value - (before.samples.get(key)?.value ?? 0);
    if (delta <= 0) continue;
    const app = s.labels.app_id ?? '?';
    if (s.name === 'dapr_component_pubsub_ingress_count') {
      if (s.labels.component === 'outbox-pubsub') outboxInternal[app] = (outboxInternal[app] ?? 0) + delta;
      else {
        const byApp = (deliveries[app] ??= {});
        byApp[s.labels.topic] = (byApp[s.labels.topic] ?? 0) + delta;
      }
    } else if (s.name === 'dapr_component_pubsub_egress_count') {
      if (s.labels.component !== 'outbox-pubsub') publishes[s.labels.topic] = (publishes[s.labels.topic] ?? 0) + delta;
    } else {
      const byApp = (stateOps[app] ??= {});
      byApp[s.labels.operation] = (byApp[s.labels.operation] ?? 0) + delta;
      if (s.labels.success === 'false') failedStateOps += delta;
    }
  }
  const sum = (o) => Object.values(o).reduce((n, v) => n + (typeof v === 'number' ? v : sum(v)), 0);
  const per = (n) => (operations > 0 ? Math.round((n / operations) * 100) / 100 : null);
  const stateOpsPerApp = Object.fromEntries(Object.entries(stateOps).map(([app, ops]) => [app, per(sum(ops))]));
  return {
    operations,
    deliveries,
    deliveriesTotal: sum(deliveries),
    deliveriesPerOperation: per(sum(deliveries)),
    outboxInternalPerOperation: per(sum(outboxInternal)),
    publishes,
    stateOps,
    stateOpsTotal: sum(stateOps),
    stateOpsPerOperation: per(sum(stateOps)),
    stateOpsPerOperationByApp: stateOpsPerApp,
    failedStateOps,
    missing: [...new Set([...before.missing, ...after.missing])],
  };
}
