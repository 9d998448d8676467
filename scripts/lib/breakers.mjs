// Dapr's circuit breakers as each sidecar's metrics show them: daprd 1.18 exports
// dapr_resiliency_cb_state{app_id, name (the Resiliency), policy="circuitbreaker", flow_direction,
// target ("app_<id>"), status ("closed"|"half-open"|"open")} = 1 for the state last recorded, 0 for
// the others (pkg/diagnostics/resiliency_monitoring.go). Recorded when a call goes through the
// breaker and when it changes state, and kept per target app: one line covers every breaker
// Dapr keeps towards that app (one per method path), the last one recorded.

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
