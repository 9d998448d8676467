// Runs one scenario of `npm run bench` (scripts/lib/bench/scenarios.mjs) against the in-memory
// staycar of the k6 stand-ins (../k6-stub/staycar.mjs): no system, no network, no load.
// prepare() and verify() call the API through `fetch`, replaced here by the stub; load()'s
// requests are built by autocannon's own RequestIterator (one per connection, as its clients do),
// including setupRequest/onResponse, and answered by the stub in turn. Prints what happened as
// JSON: every call with its Authorization header, the statuses, the checks and targets.
// Usage: node run-scenario.mjs <scenario>   (env REQUESTS, CONNECTIONS; STAYCAR_STUB_ROUTES)
import { createRequire } from 'node:module';
import { parse as parseUrl } from 'node:url';
import { createStaycar, headerOf } from '../k6-stub/staycar.mjs';

const require = createRequire(import.meta.url);
const autocannonDir = require.resolve('autocannon');
const RequestIterator = require(require.resolve('./lib/requestIterator', { paths: [autocannonDir.replace(/autocannon\.js$/, '')] }));
const clone = createRequire(autocannonDir)('lodash.clonedeep');

const BASE = 'http://gateway.bench-check';
const REQUESTS = Number(process.env.REQUESTS ?? 200);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);

const staycar = createStaycar();
const calls = [];
const logs = [];
let phase = 'prepare';
for (const level of ['log', 'info', 'warn', 'error']) console[level] = (...args) => logs.push(`${level}: ${args.map(String).join(' ')}`);

globalThis.fetch = async (url, init = {}) => {
  const method = init.method ?? 'GET';
  const headers = init.headers ?? {};
  calls.push({ phase, source: 'fetch', method, url: String(url), authorization: headerOf(headers, 'authorization') ?? null });
  const a = staycar.answer(method, String(url), init.body, headers);
  return new Response(a.body === undefined ? null : JSON.stringify(a.body), { status: a.status, headers: a.headers });
};

/** A raw HTTP/1.1 request as autocannon writes it → {method, path, headers, body}. */
function parseRaw(buffer) {
  const text = buffer.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  const [requestLine, ...headerLines] = text.slice(0, split).split('\r\n');
  const [method, path] = requestLine.split(' ');
  const headers = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return { method, path, headers, body: text.slice(split + 4) };
}

const { SCENARIOS } = await import('../../../scripts/lib/bench/scenarios.mjs');
const scenario = SCENARIOS.find((s) => s.name === process.argv[2]);
if (!scenario) throw new Error(`no bench scenario "${process.argv[2]}"`);
const ctx = {
  baseUrl: BASE,
  apps: [],
  options: { connections: CONNECTIONS, duration: 1, rate: undefined, rooms: scenario.defaults.rooms, targetApp: 'room', viaApp: 'gateway' },
};

const state = await scenario.prepare(ctx);
phase = 'load';
const { seriesOf: _seriesOf, ...load } = scenario.load(state, ctx);
// What autocannon's run.js hands each client: the parsed URL plus the options.
const clientOpts = { ...parseUrl(load.url), headers: load.headers, requests: load.requests, method: load.method, body: load.body };
const clients = Array.from({ length: CONNECTIONS }, () => ({ iterator: new RequestIterator(clone(clientOpts)), made: 0 }));
const statuses = {};
for (let n = 0; n < REQUESTS; n++) {
  const client = clients[n % CONNECTIONS];
  if (client.made++ > 0) client.iterator.nextRequest();
  const request = client.iterator.currentRequest;
  const raw = parseRaw(request.requestBuffer);
  calls.push({ phase, source: 'autocannon', method: raw.method, url: `${BASE}${raw.path}`, authorization: headerOf(raw.headers, 'authorization') ?? null });
  const a = staycar.answer(raw.method, `${BASE}${raw.path}`, raw.body || undefined, raw.headers);
  statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  client.iterator.recordBody(request, a.status, a.body === undefined ? '' : JSON.stringify(a.body), []);
}
// Let the pollers lag starts from onResponse take their first turn.
await new Promise((resolve) => setTimeout(resolve, 10));

phase = 'verify';
const responses = Object.values(statuses).reduce((x, y) => x + y, 0);
const latencyMs = { p50: 1, p90: 1, p95: 1, p99: 1, max: 1 };
const all = { responses, perSecond: responses, statuses, non2xx: {}, latencyMs };
const run = { seconds: 1, exactSeconds: 1, connections: CONNECTIONS, errors: 0, timeouts: 0, series: { all }, all };
const { checks, extra } = await scenario.verify(state, ctx, run);
const targets = scenario.targets(run, extra);

process.stdout.write(JSON.stringify({ calls, statuses, checks, extra: extra ?? null, targets, logs }));
