// Shared pieces of the staycar k6 scripts: where the system is, how to call the public API
// (/work/shared/API.md, through the gateway), how to sign users up and get their tokens, how to
// make test data, and the common options.
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
/** API.md: a stay's checkIn is today (UTC) or later and at most 500 days ahead. */
export const HORIZON_DAYS = 500;
/**
 * The last offset (from the first day, which is tomorrow) a stay may start at: tomorrow + 497 is
 * today + 498, two days inside the horizon, so a clock a little off from the server's, or a run
 * that crosses midnight, still stays inside it.
 */
export const MAX_STAY_OFFSET = HORIZON_DAYS - 3;

/**
 * The first day of this run's stays: tomorrow (UTC), as YYYY-MM-DD. Taken once in setup() and
 * handed to every VU in the data, so all of them (and teardown) count days from the same day even
 * when the run crosses midnight; tomorrow rather than today so that a stay never starts in the past.
 */
export function firstDay() {
  return new Date((Math.floor(Date.now() / DAY_MS) + 1) * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The calendar day `offset` days after `from` (YYYY-MM-DD), as YYYY-MM-DD.
 * @param {string} from
 * @param {number} offset
 */
export function day(from, offset) {
  return new Date(Date.parse(`${from}T00:00:00Z`) + offset * DAY_MS).toISOString().slice(0, 10);
}

/**
 * A stay of `nights` nights starting `offset` days after `from`. Throws when it would start
 * beyond the 500-day horizon: a plan that runs out of days needs more rooms (ROOMS), not stays
 * the API refuses.
 * @param {string} from first day of the run (firstDay())
 * @param {number} offset
 * @param {number} nights
 */
export function stay(from, offset, nights) {
  if (offset > MAX_STAY_OFFSET) {
    throw new Error(`a stay ${offset} days after ${from} is beyond the ${HORIZON_DAYS}-day horizon of API.md: use more rooms (ROOMS) or a shorter run`);
  }
  return { checkIn: day(from, offset), checkOut: day(from, offset + nights) };
}

/**
 * @typedef {{username: string, token: string}} User a user signed up for this run, with its access token
 */

/**
 * The Authorization header of a user (or none without one).
 * @param {User | string | undefined} [user] a user or a bare access token
 * @returns {Record<string, string>}
 */
export function bearer(user) {
  const token = typeof user === 'string' ? user : user && user.token;
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * Calls the public API, as `as` (a user) when given: every protected route needs the caller's
 * token (API.md "Identity and ownership"). `expected` are the statuses that count as success for
 * http_req_failed.
 * @param {string} method
 * @param {string} path e.g. '/rooms'
 * @param {unknown} [body]
 * @param {{as?: User, expected?: number[], tags?: Record<string, string>, headers?: Record<string, string>}} [opts]
 */
export function call(method, path, body, opts) {
  const o = opts || {};
  /** @type {import('k6/http').RefinedParams<'text'>} */
  const params = {
    headers: Object.assign({}, body === undefined ? {} : JSON_HEADERS, bearer(o.as), o.headers || {}),
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
    .map((segment, i, all) => (i >= 2 && i % 2 === 0 && segment !== '' && all[1] !== 'v1.0' && all[1] !== 'auth' ? '{id}' : segment))
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

/** How many users a load is spread over by default: one per VU, at least 20, at most 200. */
export const MIN_USERS = 20;
export const MAX_USERS = 200;

/**
 * The number of users to spread a load of `vus` VUs over: USERS (or `name`) from the environment,
 * else one per VU within [MIN_USERS, MAX_USERS]. The gateway allows each user
 * RATE_LIMIT_PER_MINUTE calls (default 6000, i.e. 100/s), so 20 users already carry 2,000 calls/s;
 * at most 200 keeps sign-up within AUTH_SIGNUP_LIMIT_PER_MINUTE (600 per client address).
 * @param {number} vus
 * @param {string} [name] the environment variable that overrides it (default USERS)
 */
export function usersFor(vus, name) {
  return envInt(name || 'USERS', Math.min(MAX_USERS, Math.max(MIN_USERS, vus)));
}

/** The number of VUs of a closed scenario: VUS, or the script's default. @param {number} fallback */
export function vusOf(fallback) {
  return envInt('VUS', fallback);
}

/** Sign-ups (and token requests) in flight at once: each costs the identity app a slow password hash. */
const AUTH_PARALLEL = 10;

/**
 * POSTs each body to `path` (a public /auth route), AUTH_PARALLEL at a time, and returns the JSON
 * answers. 429 (a limit of the gateway) and 503 are waited out (Retry-After) and retried, up to 10
 * times; a 409 on a retried sign-up means the first attempt was stored after all, so it counts.
 * Anything else stops the test: setup must not half-work.
 * @param {string} path '/auth/signup' or '/auth/token'
 * @param {Record<string, unknown>[]} bodies
 * @param {number} want 201 or 200
 * @returns {any[]}
 */
function authCalls(path, bodies, want) {
  /** @type {any[]} */
  const answers = new Array(bodies.length);
  /** @type {number[]} */
  let pending = bodies.map((_, i) => i);
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 10) fail(`setup: POST ${path} still refused after ${attempt} attempts (gateway rate limits?)`);
    /** @type {number[]} */
    const again = [];
    let waitS = 0;
    for (let start = 0; start < pending.length; start += AUTH_PARALLEL) {
      const chunk = pending.slice(start, start + AUTH_PARALLEL);
      const responses = http.batch(
        chunk.map((i) => ({
          method: 'POST',
          url: `${BASE_URL}${path}`,
          body: JSON.stringify(bodies[i]),
          params: { headers: JSON_HEADERS, tags: { name: `POST ${path}` } },
        })),
      );
      responses.forEach((res, j) => {
        const i = chunk[j];
        const body = bodyOf(res);
        if (res.status === want && body) {
          answers[i] = body;
        } else if (res.status === 409 && attempt > 0 && path === '/auth/signup') {
          answers[i] = { username: bodies[i].username };
        } else if (res.status === 429 || res.status === 503) {
          again.push(i);
          waitS = Math.max(waitS, Number(res.headers['Retry-After']) || 1);
        } else {
          fail(`setup: POST ${path} answered ${res.status}: ${String(res.body).slice(0, 300)}`);
        }
      });
    }
    if (again.length > 0) {
      console.warn(`setup: ${again.length} × POST ${path} refused for now (429/503); waiting ${waitS} s`);
      sleep(waitS);
    }
    pending = again;
  }
  return answers;
}

/**
 * Signs up `count` users for this run (usernames `k6-<run>-<role>-<i>`, unique per run) and gets
 * an access token for each (POST /auth/signup, then POST /auth/token). Each costs the identity
 * app two slow password hashes (about 0.1 s of CPU each), hence the scripts' setupTimeout.
 * Tokens live `expiresIn` seconds (identity's TOKEN_TTL_SECONDS, default 3600): longer runs
 * would need to sign in again, which the scripts do not do.
 * @param {string} run
 * @param {string} role e.g. 'host', 'guest'
 * @param {number} count
 * @returns {User[]}
 */
export function signUpUsers(run, role, count) {
  const password = `k6-password-${run}`;
  const usernames = [];
  for (let i = 0; i < count; i++) usernames.push(`k6-${run}-${role}-${i}`);
  authCalls('/auth/signup', usernames.map((username, i) => ({ username, password, displayName: `k6 ${role} ${i}` })), 201);
  const tokens = authCalls('/auth/token', usernames.map((username) => ({ username, password })), 200);
  const shortest = tokens.reduce((min, t) => Math.min(min, Number(t.expiresIn) || Infinity), Infinity);
  const needed = durationSeconds(envString('DURATION', '60s')) + 120;
  if (shortest < needed) {
    console.warn(`setup: the access tokens expire after ${shortest} s, before this run ends (DURATION ${envString('DURATION', '60s')}): calls after that answer 401`);
  }
  return usernames.map((username, i) => {
    if (typeof tokens[i].accessToken !== 'string') fail(`setup: POST /auth/token for ${username} gave no accessToken`);
    return { username, token: tokens[i].accessToken };
  });
}

/**
 * Seconds of a k6 duration such as '90s', '2m', '1h30m' (0 when it cannot be read).
 * @param {string} text
 */
export function durationSeconds(text) {
  const units = /** @type {Record<string, number>} */ ({ h: 3600, m: 60, s: 1, ms: 0.001 });
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) total += Number(m[1]) * units[m[2]];
  return total;
}

/**
 * Creates `count` objects with `POST path`, `parallel` at a time, object i as user `ownerOf(i)`;
 * returns their ids. Stops the test if any creation fails (setup must not half-work).
 * @param {string} path '/rooms' or '/rentcars'
 * @param {number} count
 * @param {(i: number) => Record<string, unknown>} bodyOfIndex
 * @param {(i: number) => User} ownerOf
 * @param {number} [parallel]
 * @returns {string[]}
 */
export function createMany(path, count, bodyOfIndex, ownerOf, parallel) {
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
        params: { headers: Object.assign({}, JSON_HEADERS, bearer(ownerOf(i))), tags: { name: `POST ${path}` } },
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
 * Rooms for this run, all in one city unique to the run; room i belongs to host i mod hosts
 * (the body names no hostId: the caller is the host).
 * @param {string} run
 * @param {number} count
 * @param {User[]} hosts
 */
export function createRooms(run, count, hosts) {
  return createMany(
    '/rooms',
    count,
    (i) => ({ name: `k6 room ${i}`, city: `k6-${run}`, pricePerNight: 50000 + i, capacity: 2 }),
    (i) => hosts[i % hosts.length],
  );
}

/**
 * Rental cars for this run; car i belongs to host i mod hosts.
 * @param {string} run
 * @param {number} count
 * @param {User[]} hosts
 */
export function createCars(run, count, hosts) {
  return createMany(
    '/rentcars',
    count,
    (i) => ({ model: `k6 car ${i}`, city: `k6-${run}`, pricePerDay: 30000 + i, seats: 4 }),
    (i) => hosts[i % hosts.length],
  );
}

/**
 * Every item of a list route, following nextCursor, as user `as`.
 * @param {string} path e.g. '/reservations'
 * @param {User} as
 * @returns {any[]}
 */
export function listAll(path, as) {
  /** @type {any[]} */
  const items = [];
  let cursor = null;
  for (let page = 0; page < 1000; page++) {
    const sep = path.indexOf('?') >= 0 ? '&' : '?';
    const res = call('GET', `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, undefined, { as });
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
 * The body of POST /reservations for a room (and car) and stay. No guestId: the guest is the
 * caller, whose token the request carries.
 * @param {string} roomId
 * @param {string | null} carId
 * @param {{checkIn: string, checkOut: string}} dates
 */
export function reservationBody(roomId, carId, dates) {
  /** @type {Record<string, unknown>} */
  const body = { roomId, checkIn: dates.checkIn, checkOut: dates.checkOut, payment: { method: 'card', token: 'tok_k6' } };
  if (carId) body.carId = carId;
  return body;
}
