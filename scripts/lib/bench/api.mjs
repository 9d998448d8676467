// The few public-API calls the benchmark makes outside the timed load: signing up its users and
// getting their tokens, creating its rooms and cars, reading lists back for its checks. Not a
// load generator (autocannon is).
import { setTimeout as sleep } from 'node:timers/promises';

const DAY_MS = 86_400_000;
/** API.md: a stay's checkIn is today (UTC) or later and at most 500 days ahead. */
export const HORIZON_DAYS = 500;
/**
 * The last offset from FIRST_DAY a stay may start at: tomorrow + 497 = today + 498, two days
 * inside the horizon (a clock a little off from the server's, a run across midnight).
 */
export const MAX_STAY_OFFSET = HORIZON_DAYS - 3;
/**
 * Stays count from tomorrow (UTC), taken once when the bench starts: never in the past, even when
 * the run crosses midnight, and the same day for a scenario's load and its checks.
 */
export const FIRST_DAY = (Math.floor(Date.now() / DAY_MS) + 1) * DAY_MS;
export const day = (offset) => new Date(FIRST_DAY + offset * DAY_MS).toISOString().slice(0, 10);
/** A stay of `nights` nights from `offset` days after FIRST_DAY; throws past the horizon. */
export function stay(offset, nights) {
  if (offset > MAX_STAY_OFFSET) throw new Error(`a stay ${offset} days after ${day(0)} is beyond the ${HORIZON_DAYS}-day horizon of API.md`);
  return { checkIn: day(offset), checkOut: day(offset + nights) };
}

/** A short id unique to this run (stores are never reset, so data must not collide). */
export const runId = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 0xffff).toString(16)}`;

/** The Authorization header of a user `{username, token}` (none without one). */
export const bearer = (user) => (user?.token ? { authorization: `Bearer ${user.token}` } : {});

/**
 * How many users a scenario spreads its load over: one per connection, at least 20, at most 200.
 * The gateway allows each user RATE_LIMIT_PER_MINUTE calls (default 6000, i.e. 100/s); requests
 * go to the users in turn, so 20 users carry 2,000 calls/s, far above what this machine reaches
 * (register ~200/s, browse ~800/s, reserve ~20/s). At most 200 keeps a scenario's sign-ups within
 * the gateway's AUTH_SIGNUP_LIMIT_PER_MINUTE (600 per client address).
 */
export const usersFor = (connections) => Math.min(200, Math.max(20, connections ?? 0));

export async function call(baseUrl, method, route, body, { as } = {}) {
  const res = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...bearer(as) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, retryAfter: Number(res.headers.get('retry-after')) || 1 };
}

/** Runs `work(i)` for i in 0..count-1, `parallel` at a time. */
async function eachParallel(count, parallel, work) {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
}

/**
 * POST to a public /auth route; 429 (a gateway limit) and 503 are waited out (Retry-After) and
 * tried again, up to 10 times; a 409 on a retried sign-up means the first try was stored after all.
 */
async function authCall(baseUrl, route, body, want) {
  for (let attempt = 0; ; attempt++) {
    const res = await call(baseUrl, 'POST', route, body);
    if (res.status === want) return res.body;
    if (res.status === 409 && attempt > 0 && route === '/auth/signup') return { username: body.username };
    if ((res.status !== 429 && res.status !== 503) || attempt >= 10) {
      throw new Error(`setup: POST ${route} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
    }
    await sleep(res.retryAfter * 1000);
  }
}

/**
 * Signs up `count` users for this run (usernames `bench-<run>-<role>-<i>`, unique per run) and
 * gets an access token for each: `[{username, token}]`. Each costs the identity app two slow
 * password hashes (about 0.1 s of CPU each), 8 at a time. Tokens live `expiresIn` (identity's
 * TOKEN_TTL_SECONDS, default 3600 s), far longer than a scenario.
 */
export async function signUpUsers(baseUrl, run, role, count) {
  const password = `bench-password-${run}`;
  const users = new Array(count);
  await eachParallel(count, 8, async (i) => {
    const username = `bench-${run}-${role}-${i}`;
    await authCall(baseUrl, '/auth/signup', { username, password, displayName: `bench ${role} ${i}` }, 201);
    const { accessToken } = await authCall(baseUrl, '/auth/token', { username, password }, 200);
    if (typeof accessToken !== 'string') throw new Error(`setup: POST /auth/token for ${username} gave no accessToken`);
    users[i] = { username, token: accessToken };
  });
  return users;
}

/**
 * Creates `count` objects with POST `route`, object i as user `ownerOf(i)`, `parallel` at a time;
 * throws on the first failure.
 */
export async function createMany(baseUrl, route, count, bodyOf, ownerOf, parallel = 8) {
  const ids = new Array(count);
  await eachParallel(count, parallel, async (i) => {
    const { status, body } = await call(baseUrl, 'POST', route, bodyOf(i), { as: ownerOf(i) });
    if (status !== 201 || typeof body?.id !== 'string') {
      throw new Error(`setup: POST ${route} answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
    }
    ids[i] = body.id;
  });
  return ids;
}

/** Rooms of this run's city; room i belongs to host i mod hosts (no hostId in the body: the caller is the host). */
export const createRooms = (baseUrl, run, count, hosts) =>
  createMany(
    baseUrl,
    '/rooms',
    count,
    (i) => ({ name: `bench room ${i}`, city: `bench-${run}`, pricePerNight: 50_000 + i, capacity: 2 }),
    (i) => hosts[i % hosts.length],
  );

/** Cars of this run; car i belongs to host i mod hosts. */
export const createCars = (baseUrl, run, count, hosts) =>
  createMany(
    baseUrl,
    '/rentcars',
    count,
    (i) => ({ model: `bench car ${i}`, city: `bench-${run}`, pricePerDay: 30_000 + i, seats: 4 }),
    (i) => hosts[i % hosts.length],
  );

/** Every item of a list route as user `as`, following nextCursor. */
export async function listAll(baseUrl, route, as) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 1000; page++) {
    const sep = route.includes('?') ? '&' : '?';
    const { status, body } = await call(baseUrl, 'GET', `${route}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, undefined, { as });
    if (status !== 200) throw new Error(`GET ${route} answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
    items.push(...(body.items ?? []));
    cursor = body.nextCursor;
    if (!cursor) return items;
  }
  return items;
}

/** The gateway's /healthz: `{ok, detail}` with a sentence a person can act on. */
export async function health(baseUrl) {
  let res;
  try {
    res = await call(baseUrl, 'GET', '/healthz');
  } catch (error) {
    return { ok: false, detail: `nothing answers at ${baseUrl}/healthz (${error.cause?.code ?? error.message})` };
  }
  const services = res.body?.services ?? {};
  const down = Object.entries(services).filter(([, s]) => s !== 'up').map(([name]) => name);
  if (res.status !== 200 || down.length > 0) {
    return { ok: false, detail: `${baseUrl}/healthz answered ${res.status}${down.length ? `; down: ${down.join(', ')}` : ''}` };
  }
  return { ok: true, detail: `${baseUrl}/healthz: every service up (${Object.keys(services).join(', ')})` };
}
