// Scenario `sidecar-overhead`: what a Dapr sidecar hop costs. One trivial route (GET /healthz of
// the room app) is called, in the same iteration, directly on the app's port and through two
// sidecars (the gateway's sidecar → the room's sidecar → the app). The added latency per hop is
// (two_sidecars − direct) / 2, printed at p50/p90/p99 beside Dapr's published figure (two sidecars
// add ~1.40 ms at p90 and ~2.10 ms at p99, at 1,000 requests/s).
// It needs the app and sidecar ports, so it runs on the machine of `npm start` (or inside a pod /
// through `kubectl port-forward`), not through the gateway:
//   k6 run loadtest/sidecar-overhead.js              (APP_URL=http://127.0.0.1:8081, SIDECAR_URL=http://127.0.0.1:3500,
//                                                    TARGET_APP=room, VUS=10, RATE=1000, DURATION=30s, DAPR_API_TOKEN)
import { check } from 'k6';
import http from 'k6/http';
import { envInt, envString, requireHealthy, SUMMARY_TREND_STATS } from './lib/staycar.js';

const APP_URL = envString('APP_URL', 'http://127.0.0.1:8081').replace(/\/+$/, '');
const SIDECAR_URL = envString('SIDECAR_URL', 'http://127.0.0.1:3500').replace(/\/+$/, '');
const TARGET_APP = envString('TARGET_APP', 'room');
const ROUTE = '/healthz';
/** Dapr's published service-invocation figure for two sidecars (docs, "Dapr performance"). */
const PUBLISHED_TWO_SIDECARS_MS = { 'p(90)': 1.4, 'p(99)': 2.1 };

const VUS = envInt('VUS', 10);

export const options = {
  scenarios: {
    // Open model at a fixed rate (as Dapr's own figure is taken), each iteration = one call per hop.
    hops: {
      executor: 'constant-arrival-rate',
      exec: 'hops',
      rate: Math.max(1, Math.round(envInt('RATE', 1000) / 2)),
      timeUnit: '1s',
      duration: envString('DURATION', '30s'),
      preAllocatedVUs: VUS,
      maxVUs: VUS * 2,
    },
  },
  summaryTrendStats: ['med', 'p(50)', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'],
  thresholds: {
    'http_req_failed{scenario:hops}': ['rate<0.01'],
    // These also make k6 keep the two series apart for handleSummary.
    'http_req_duration{hop:direct}': ['p(99)<50'],
    'http_req_duration{hop:two_sidecars}': ['p(99)<50'],
  },
};

/** @type {Record<string, string>} */
const headers = __ENV.DAPR_API_TOKEN ? { 'dapr-api-token': __ENV.DAPR_API_TOKEN } : {};

export function setup() {
  requireHealthy();
  for (const url of [`${APP_URL}${ROUTE}`, `${SIDECAR_URL}/v1.0/invoke/${TARGET_APP}/method${ROUTE}`]) {
    const res = http.get(url, { headers });
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: set APP_URL / SIDECAR_URL to the app and sidecar ports`);
  }
}

let flip = false;
export function hops() {
  // Alternate the order so neither hop always goes first on a warm connection.
  flip = !flip;
  const order = flip ? ['direct', 'two_sidecars'] : ['two_sidecars', 'direct'];
  for (const hop of order) {
    const url = hop === 'direct' ? `${APP_URL}${ROUTE}` : `${SIDECAR_URL}/v1.0/invoke/${TARGET_APP}/method${ROUTE}`;
    const res = http.get(url, { headers, tags: { hop, name: `GET ${ROUTE} (${hop})` } });
    check(res, { [`${hop} 200`]: (r) => r.status === 200 });
  }
}

/**
 * Prints the per-hop overhead and writes it as JSON (SUMMARY_FILE, default sidecar-overhead.json).
 * @param {any} data k6's end-of-test summary
 */
export function handleSummary(data) {
  const series = (/** @type {string} */ hop) => (data.metrics[`http_req_duration{hop:${hop}}`] || { values: {} }).values;
  const direct = series('direct');
  const via = series('two_sidecars');
  const rows = ['p(50)', 'p(90)', 'p(99)'].map((p) => {
    const d = direct[p];
    const v = via[p];
    const twoHops = typeof d === 'number' && typeof v === 'number' ? v - d : null;
    return { percentile: p, directMs: d, twoSidecarsMs: v, addedPerHopMs: twoHops === null ? null : twoHops / 2, publishedTwoSidecarsMs: PUBLISHED_TWO_SIDECARS_MS[/** @type {'p(90)'|'p(99)'} */ (p)] || null };
  });
  const fmt = (/** @type {number | null | undefined} */ x) => (typeof x === 'number' ? x.toFixed(3) : '-');
  const lines = [
    `sidecar overhead: GET ${ROUTE} of ${TARGET_APP}, direct vs through two sidecars (${direct.count || 0} + ${via.count || 0} calls)`,
    'percentile   direct ms   two sidecars ms   added per hop ms   Dapr published (two sidecars) ms',
    ...rows.map((r) => `${r.percentile.padEnd(12)} ${fmt(r.directMs).padStart(9)}   ${fmt(r.twoSidecarsMs).padStart(15)}   ${fmt(r.addedPerHopMs).padStart(16)}   ${fmt(r.publishedTwoSidecarsMs)}`),
    '',
  ];
  return {
    stdout: lines.join('\n'),
    [envString('SUMMARY_FILE', 'sidecar-overhead.json')]: JSON.stringify({ rows, metrics: data.metrics }, null, 2),
  };
}
