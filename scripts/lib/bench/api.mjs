// The few public-API calls the benchmark makes outside the timed load: creating its rooms and
// cars, reading lists back for its checks. Not a load generator (autocannon is).

const DAY_MS = 86_400_000;
/** Stays are far in the future so they never meet real data or "dates in the past" rules. */
const BASE_DAY = Date.UTC(2031, 0, 1);
export const day = (offset) => new Date(BASE_DAY + offset * DAY_MS).toISOString().slice(0, 10);
export const stay = (offset, nights) => ({ checkIn: day(offset), checkOut: day(offset + nights) });

/** A short id unique to this run (stores are never reset, so data must not collide). */
export const runId = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 0xffff).toString(16)}`;

export async function call(baseUrl, method, route, body) {
  const res = await fetch(`${baseUrl}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
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
  return { status: res.status, body: parsed };
}

/** Creates `count` objects with POST `route`, `parallel` at a time; throws on the first failure. */
export async function createMany(baseUrl, route, count, bodyOf, parallel = 8) {
  const ids = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const { status, body } = await call(baseUrl, 'POST', route, bodyOf(i));
      if (status !== 201 || typeof body?.id !== 'string') {
        throw new Error(`setup: POST ${route} answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
      }
      ids[i] = body.id;
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return ids;
}

export const createRooms = (baseUrl, run, count) =>
  createMany(baseUrl, '/rooms', count, (i) => ({
    hostId: `host-${run}`,
    name: `bench room ${i}`,
    city: `bench-${run}`,
    pricePerNight: 50_000 + i,
    capacity: 2,
  }));

export const createCars = (baseUrl, run, count) =>
  createMany(baseUrl, '/rentcars', count, (i) => ({
    hostId: `host-${run}`,
    model: `bench car ${i}`,
    city: `bench-${run}`,
    pricePerDay: 30_000 + i,
    seats: 4,
  }));

/** Every item of a list route, following nextCursor. */
export async function listAll(baseUrl, route) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 1000; page++) {
    const sep = route.includes('?') ? '&' : '?';
    const { status, body } = await call(baseUrl, 'GET', `${route}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
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
