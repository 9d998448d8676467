// Circuit breakers as the metrics show them (docs/observability.md, "Circuit breakers").
// Dapr's own, on each sidecar: daprd 1.18 exports dapr_resiliency_cb_state{app_id, name (the
// Resiliency), policy="circuitbreaker", flow_direction, target ("app_<id>"), status
// ("closed"|"half-open"|"open")} = 1 for the state last recorded, 0 for the others
// (pkg/diagnostics/resiliency_monitoring.go), recorded when a call starts — but one gauge per target app, while Dapr keeps a breaker per target app and
// method path: a refund or a release (an id in its path: a fresh, closed breaker) overwrites it.
// So each app also says what it saw (@staycar/common, metrics/breakers.ts):
// staycar_dapr_breaker_open{target} = 1 when Dapr refused its last call to that app because a
// breaker was open, 0 once a call was answered.

const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** The breakers a metrics text reports, with the state whose gauge is 1. */
export function parseBreakers(text) {
  const found = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('dapr_resiliency_cb_state{')) continue;
    const close = line.lastIndexOf('}');
    if (Number(line.slice(close + 1).trim()) !== 1) continue;
    const labels = Object.fromEntries([...line.slice(0, close).matchAll(LABEL)].map(([, k, v]) => [k, v]));
    found.push({
      appId: labels.app_id,
      resiliency: labels.name,
      direction: labels.flow_direction,
      target: (labels.target ?? '').replace(/^app_/, ''),
      state: labels.status,
    });
  }
  return found;
}

/** Every sidecar of `apps` (loadApps()): its breakers, or `reachable: false` when its metrics did not answer. */
export async function sidecarBreakers(apps, { timeoutMs = 2000 } = {}) {
  return Promise.all(
    apps
      .filter((app) => app.metricsPort)
      .map(async (app) => {
        try {
          const res = await fetch(`http://127.0.0.1:${app.metricsPort}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
          return { appId: app.appID, reachable: res.ok, breakers: res.ok ? parseBreakers(await res.text()) : [] };
        } catch {
          return { appId: app.appID, reachable: false, breakers: [] };
        }
      }),
  );
}

const sampleLabels = (line) => {
  const close = line.lastIndexOf('}');
  return {
    labels: Object.fromEntries([...line.slice(0, close).matchAll(LABEL)].map(([, k, v]) => [k, v])),
    value: Number(line.slice(close + 1).trim()),
  };
};

/** The targets an app's own metrics say its last call was refused by an open breaker (and those it says are not). */
export function parseAppBreakers(text) {
  return text
    .split('\n')
    .filter((line) => line.startsWith('staycar_dapr_breaker_open{'))
    .map(sampleLabels)
    .map(({ labels, value }) => ({ target: labels.target, open: value === 1 }));
}

/** Every app of `apps` with a metrics port: what its own metrics say, or `reachable: false`. */
export async function appBreakers(apps, metricsPortOf, { timeoutMs = 2000 } = {}) {
  return Promise.all(
    apps
      .filter((app) => metricsPortOf(app))
      .map(async (app) => {
        try {
          const res = await fetch(`http://127.0.0.1:${metricsPortOf(app)}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
          return { appId: app.appID, reachable: res.ok, targets: res.ok ? parseAppBreakers(await res.text()) : [] };
        } catch {
          return { appId: app.appID, reachable: false, targets: [] };
        }
      }),
  );
}
