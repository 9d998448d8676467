// Shared pieces of the staycar k6 scripts: where the system is, how to call the public API
// (/work/shared/API.md, through the gateway), how to make test data, and the common options.
// Plain JavaScript ES module, as stock k6 wants it; type-checked with @types/k6
// (`npx tsc -p loadtest/tsconfig.json`).
import http from 'k6/http';
import { check, fail, sleep } from 'k6';

/** The gateway (npm start: http://localhost:8080; Kubernetes: the ingress or a port-forward). */
export const BASE_URL = trimSlash(__ENV.BASE_URL || 'http://localhost:8080');

export const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** @param {string} url */
function trimSlash(url) {
  return url.replace(/\/+$/, '');
}

/**
 * An integer from the environment, or the default.
 * @param {string} name
 * @param {number} fallback
 */
export function envInt(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = parseInt(raw, 10);
  if (!(value >= 0)) fail(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/**
 * A string from the environment, or the default.
 * @param {string} name
 * @param {string} fallback
 */
export function envString(name, fallback) {
  const raw = __ENV[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

/**
 * One closed-model scenario (a fixed number of virtual users, like autocannon's connections) that
 * runs `exec` for DURATION (default 60s). VUS overrides the number of users.
 * @param {string} exec name of the exported function to run
 * @param {number} defaultVus
 */
export function closedScenario(exec, defaultVus) {
  return {
    executor: 'constant-vus',
    exec,
    vus: envInt('VUS', defaultVus),
    duration: envString('DURATION', '60s'),
    gracefulStop: '10s',
  };
}

/**
 * A throughput target as a threshold (k6 divides by the whole test time, setup included, so it
 * reads a little low). RATE_TARGETS=0 leaves them out, e.g. on a laptop.
 * @param {string} metric e.g. 'http_reqs{scenario:browse}'
 * @param {number} perSecond
 * @returns {Record<string, string[]>}
 */
export function rateTarget(metric, perSecond) {
  return __ENV.RATE_TARGETS === '0' ? {} : { [metric]: [`rate>=${perSecond}`] };
}

/** Percentiles printed in the end-of-test summary (p(50)/p(95)/p(99) are what the targets use). */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'];

/** A short id unique to this test run (the stores are never reset, so test data must not collide). */
export function runId() {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
}

const DAY_MS = 86400000;
/** Stays are far in the future so they never meet real data or "dates in the past" rules. */
const BASE_DAY = Date.UTC(2031, 0, 1);

/**
 * The calendar day `offset` days after the base day, as YYYY-MM-DD.
 * @param {number} offset
 */
export function day(offset) {
  return new Date(BASE_DAY + offset * DAY_MS).toISOString().slice(0, 10);
}

/**
 * A stay of `nights` nights starting `offset` days after the base day.
 * @param {number} offset
 * @param {number} nights
 */
export function stay(offset, nights) {
  return { checkIn: day(offset), checkOut: day(offset + nights) };
}

/**
 * Calls the public API. `expected` are the statuses that count as success for http_req_failed.
 * @param {string} method
 * @param {string} path e.g. '/rooms'
 * @param {unknown} [body]
 * @param {{expected?: number[], tags?: Record<string, string>, headers?: Record<string, string>}} [opts]
 */
export function call(method, path, body, opts) {
  const o = opts || {};
  /** @type {import('k6/http').RefinedParams<'text'>} */
  const params = {
    headers: Object.assign({}, body === undefined ? {} : JSON_HEADERS, o.headers || {}),
    tags: Object.assign({ name: `${method} ${routeName(path)}` }, o.tags || {}),
  };
  if (o.expected) params.responseCallback = http.expectedStatuses(...o.expected);
  return http.request(method, `${BASE_URL}${path}`, body === undefined ? null : JSON.stringify(body), params);
}

/**
 * The route pattern of a concrete path, so metrics group by route, not by id: /rooms/abc → /rooms/{id}.
 * @param {string} path
 */
export function routeName(path) {
  const [bare] = path.split('?');
  return bare
    .split('/')
    .map((segment, i, all) => (i >= 2 && i % 2 === 0 && segment !== '' && all[1] !== 'v1.0' ? '{id}' : segment))
    .join('/');
}

/**
 * The JSON body of a response, or undefined when it is not JSON.
 * @param {import('k6/http').RefinedResponse<any>} res
 * @returns {any}
 */
export function bodyOf(res) {
  try {
    return res.json();
  } catch (_) {
    return undefined;
  }
}

/** Stops the test in setup() unless the gateway reports every service up. */
export function requireHealthy() {
  const res = http.get(`${BASE_URL}/healthz`, { tags: { name: 'GET /healthz' } });
  const body = bodyOf(res);
  if (res.status !== 200) {
    fail(`GET ${BASE_URL}/healthz answered ${res.status}: is staycar running (npm start) and BASE_URL right?`);
  }
  const services = (body && body.services) || {};
  const down = Object.keys(services).filter((name) => services[name] !== 'up');
  if (down.length > 0) fail(`services down according to ${BASE_URL}/healthz: ${down.join(', ')}`);
}

/**
 * Creates `count` objects with `POST path`, `parallel` at a time; returns their ids. Stops the test
 * if any creation fails (setup must not half-work).
 * @param {string} path '/rooms' or '/rentcars'
 * @param {number} count
 * @param {(i: number) => Record<string, unknown>} bodyOfIndex
 * @param {number} [parallel]
 * @returns {string[]}
 */
export function createMany(path, count, bodyOfIndex, parallel) {
  const size = parallel || 20;
  /** @type {string[]} */
  const ids = [];
  for (let start = 0; start < count; start += size) {
    /** @type {import('k6/http').BatchRequest[]} */
    const batch = [];
    for (let i = start; i < Math.min(count, start + size); i++) {
      batch.push({
        method: 'POST',
        url: `${BASE_URL}${path}`,
        body: JSON.stringify(bodyOfIndex(i)),
        params: { headers: JSON_HEADERS, tags: { name: `POST ${path}` } },
      });
    }
    for (const res of http.batch(batch)) {
      const body = bodyOf(res);
      if (res.status !== 201 || !body || typeof body.id !== 'string') {
        fail(`setup: POST ${path} answered ${res.status}: ${String(res.body).slice(0, 300)}`);
      }
      ids.push(body.id);
    }
  }
  return ids;
}

/**
 * Rooms for this run, all in one city unique to the run.
 * @param {string} run
 * @param {number} count
 */
export function createRooms(run, count) {
  return createMany('/rooms', count, (i) => ({
    hostId: `host-${run}`,
    name: `k6 room ${i}`,
    city: `k6-${run}`,
    pricePerNight: 50000 + i,
    capacity: 2,
  }));
}

/**
 * Rental cars for this run.
 * @param {string} run
 * @param {number} count
 */
export function createCars(run, count) {
  return createMany('/rentcars', count, (i) => ({
    hostId: `host-${run}`,
    model: `k6 car ${i}`,
    city: `k6-${run}`,
    pricePerDay: 30000 + i,
    seats: 4,
  }));
}

/**
 * Every item of a list route, following nextCursor.
 * @param {string} path e.g. '/reservations?guestId=g1'
 * @returns {any[]}
 */
export function listAll(path) {
  /** @type {any[]} */
  const items = [];
  let cursor = null;
  for (let page = 0; page < 1000; page++) {
    const sep = path.indexOf('?') >= 0 ? '&' : '?';
    const res = call('GET', `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    const body = bodyOf(res);
    if (!check(res, { 'list answers 200': (r) => r.status === 200 }) || !body) return items;
    for (const item of body.items || []) items.push(item);
    cursor = body.nextCursor;
    if (!cursor) return items;
  }
  return items;
}

/**
 * Polls `probe` every `intervalMs` until it returns true or `timeoutMs` passes.
 * @param {() => boolean} probe
 * @param {number} timeoutMs
 * @param {number} intervalMs
 */
export function waitUntil(probe, timeoutMs, intervalMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (probe()) return true;
    if (Date.now() > deadline) return false;
    sleep(intervalMs / 1000);
  }
}

/**
 * The body of POST /reservations for one guest, room (and car) and stay.
 * @param {string} guestId
 * @param {string} roomId
 * @param {string | null} carId
 * @param {{checkIn: string, checkOut: string}} dates
 */
export function reservationBody(guestId, roomId, carId, dates) {
  /** @type {Record<string, unknown>} */
  const body = { guestId, roomId, checkIn: dates.checkIn, checkOut: dates.checkOut, payment: { method: 'card', token: 'tok_k6' } };
  if (carId) body.carId = carId;
  return body;
}
