#!/usr/bin/env node
// The CPU cost of the apps' metrics, in process (docs/observability.md, "Cost"): what the HTTP
// middleware of @staycar/common adds to one request (a counter and a histogram by method, route
// template and status), and what one scrape of GET /metrics costs with the series that makes.
// Needs `npm run build` first.  node scripts/bench/metrics-cost.mjs [requests]
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { httpMetrics, metricsRegistry } = require('../../services/common/dist/index.js');

const n = Number(process.argv[2] ?? 200_000);
const middleware = httpMetrics();
const routes = ['/reservations', '/reservations/:id', '/internal/rooms/:id/holds', '/events/ReservationConfirmed', '/rooms/:id'];
const statuses = [200, 201, 409];
function request(i) {
  const res = Object.assign(new EventEmitter(), { statusCode: statuses[i % statuses.length], locals: {} });
  middleware({ method: 'POST', baseUrl: '', route: { path: routes[i % routes.length] } }, res, () => undefined);
  res.emit('finish');
}
/** The same request's bookkeeping without the middleware (a fake response that finishes). */
function bare(i) {
  const res = Object.assign(new EventEmitter(), { statusCode: statuses[i % statuses.length], locals: {} });
  res.emit('finish');
}
const time = (fn) => {
  for (let i = 0; i < n / 10; i++) fn(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return ((performance.now() - t0) * 1000) / n;
};
const base = time(bare);
const withMetrics = time(request);
const t1 = performance.now();
let text = '';
for (let i = 0; i < 50; i++) text = await metricsRegistry.metrics();
console.log(
  JSON.stringify({
    requests: n,
    microsecondsPerRequest: Number((withMetrics - base).toFixed(2)),
    millisecondsPerScrape: Number(((performance.now() - t1) / 50).toFixed(2)),
    series: text.split('\n').filter((l) => l && !l.startsWith('#')).length,
  }),
);
