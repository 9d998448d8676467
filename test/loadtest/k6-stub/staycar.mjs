// A tiny, correct staycar in memory: what the k6 stand-in `http` and the bench check answer with.
// It knows the gateway's allow-list (passed in by the test as STAYCAR_STUB_ROUTES, from
// services/gateway/src/http/routes.ts) and its access rules, and enough of API.md for the scripts' own
// logic to run: sign-up and tokens, 401 on a protected route without a valid token, hostId/guestId
// left out or the caller's own (else 403), stays from today (UTC) to 500 days ahead, first-write-wins
// per room/car and night, reservations and views seen only by their guest/host, the view shows every
// reservation at once. No network: it replaces the system, never talks to it.
import { createHash } from 'node:crypto';

const DAY_MS = 86_400_000;
const HORIZON_DAYS = 500;
const USERNAME = /^[a-z0-9._-]{3,40}$/;

function routesFromEnv() {
  const raw = process.env.STAYCAR_STUB_ROUTES;
  if (!raw) throw new Error('STAYCAR_STUB_ROUTES is not set: the test passes the gateway allow-list (ALLOWED_ROUTES) in it');
  return JSON.parse(raw).map((r) => ({ ...r, re: new RegExp(`^${r.path.replace(/:[a-zA-Z]+/g, '([^/]+)')}$`) }));
}

const error = (status, code, message) => ({ status, body: { error: { code, message, details: [] } } });

/** Case-insensitive header lookup in a plain object. */
export function headerOf(headers, name) {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : String(headers[key]);
}

export function createStaycar({ routes = routesFromEnv() } = {}) {
  let nextId = 0;
  const id = (prefix) => `${prefix}-${(++nextId).toString(36)}`;
  const users = new Map(); // username → {userId, password, displayName}
  const tokens = new Map(); // accessToken → userId
  const rooms = new Map();
  const cars = new Map();
  const reservations = []; // confirmed ones
  const held = new Set(); // `${roomOrCarId}|${day}`
  const today = () => Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const nightsOf = (checkIn, checkOut) => {
    const out = [];
    for (let t = Date.parse(checkIn); t < Date.parse(checkOut); t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
    return out;
  };
  /** The caller named in a body or query: left out (the caller) or the caller's own id, else 403. */
  const subject = (given, caller) => (given === undefined || given === null || given === caller ? caller : null);
  const viewOf = (room) => ({
    roomId: room.id,
    name: room.name,
    city: room.city,
    hostId: room.hostId,
    reservations: reservations
      .filter((r) => r.roomId === room.id)
      .map((r) => ({ reservationId: r.id, guestId: r.guestId, checkIn: r.checkIn, checkOut: r.checkOut, status: r.status })),
  });

  function handle(route, params, method, searchParams, input, caller) {
    const key = `${method} ${route.path}`;
    switch (key) {
      case 'POST /auth/signup': {
        const { username, password, displayName } = input ?? {};
        if (typeof username !== 'string' || !USERNAME.test(username) || typeof password !== 'string' || password.length < 10 || password.length > 200) {
          return error(400, 'VALIDATION_FAILED', 'username 3..40 of a-z 0-9 . _ -, password 10..200 characters');
        }
        if (users.has(username)) return error(409, 'USERNAME_TAKEN', 'taken');
        const user = { userId: id('usr'), username, displayName: displayName ?? username, password };
        users.set(username, user);
        return { status: 201, body: { userId: user.userId, username, displayName: user.displayName } };
      }
      case 'POST /auth/token': {
        const user = users.get(input?.username);
        if (!user || user.password !== input?.password) return error(401, 'INVALID_CREDENTIALS', 'no');
        const accessToken = `stub.${user.userId}.${++nextId}`;
        tokens.set(accessToken, user.userId);
        return { status: 200, body: { accessToken, tokenType: 'Bearer', expiresIn: 3600 } };
      }
      case 'POST /rooms':
      case 'POST /rentcars': {
        const hostId = subject(input?.hostId, caller);
        if (!hostId) return error(403, 'FORBIDDEN', 'hostId is not the caller');
        const store = route.path === '/rooms' ? rooms : cars;
        const made = { ...input, id: id(route.path === '/rooms' ? 'room' : 'car'), hostId };
        store.set(made.id, made);
        return { status: 201, body: made };
      }
      case 'GET /rooms/:id':
      case 'GET /rentcars/:id': {
        const found = (route.path.startsWith('/rooms') ? rooms : cars).get(params[0]);
        return found ? { status: 200, body: found } : error(404, 'NOT_FOUND', 'no such thing');
      }
      case 'GET /rooms':
      case 'GET /rentcars': {
        const city = searchParams.get('city');
        const items = [...(route.path === '/rooms' ? rooms : cars).values()].filter((x) => !city || x.city === city);
        return { status: 200, body: { items: items.slice(0, 100), nextCursor: null } };
      }
      case 'POST /reservations': {
        const guestId = subject(input?.guestId, caller);
        if (!guestId) return error(403, 'FORBIDDEN', 'guestId is not the caller');
        const { roomId, carId, checkIn, checkOut } = input ?? {};
        const first = Date.parse(`${checkIn}T00:00:00Z`);
        const last = Date.parse(`${checkOut}T00:00:00Z`);
        if (!(first >= today()) || first > today() + HORIZON_DAYS * DAY_MS || !(last > first) || last - first > 90 * DAY_MS) {
          return error(400, 'VALIDATION_FAILED', `stay ${checkIn}..${checkOut}: checkIn from today (UTC) to 500 days ahead, 1..90 nights`);
        }
        if (!rooms.has(roomId)) return error(404, 'ROOM_NOT_FOUND', 'no such room');
        if (carId && !cars.has(carId)) return error(404, 'CAR_NOT_FOUND', 'no such car');
        const keys = [roomId, carId].filter(Boolean).flatMap((x) => nightsOf(checkIn, checkOut).map((d) => `${x}|${d}`));
        if (keys.some((k) => held.has(k))) return error(409, 'ROOM_UNAVAILABLE', 'taken');
        keys.forEach((k) => held.add(k));
        const reservation = { id: id('res'), guestId, roomId, carId: carId ?? null, checkIn, checkOut, status: 'confirmed' };
        reservations.push(reservation);
        return { status: 201, body: reservation };
      }
      case 'GET /reservations': {
        const guestId = subject(searchParams.get('guestId') ?? undefined, caller);
        if (!guestId) return error(403, 'FORBIDDEN', 'guestId is not the caller');
        return { status: 200, body: { items: reservations.filter((r) => r.guestId === guestId), nextCursor: null } };
      }
      case 'GET /reservations/:id': {
        const found = reservations.find((r) => r.id === params[0] && r.guestId === caller);
        return found ? { status: 200, body: found } : error(404, 'NOT_FOUND', 'no such reservation');
      }
      case 'GET /search/rooms': {
        // Rooms of the city free on every night of the stay that hold `guests`, cheapest first, with the total price.
        const city = searchParams.get('city');
        const checkIn = searchParams.get('checkIn') ?? '';
        const checkOut = searchParams.get('checkOut') ?? '';
        const guests = Number(searchParams.get('guests') ?? 1);
        const first = Date.parse(`${checkIn}T00:00:00Z`);
        const last = Date.parse(`${checkOut}T00:00:00Z`);
        if (!city || !(first >= today()) || first > today() + HORIZON_DAYS * DAY_MS || !(last > first) || last - first > 90 * DAY_MS) {
          return error(400, 'VALIDATION_FAILED', `city, and a stay ${checkIn}..${checkOut} from today (UTC) to 500 days ahead, 1..90 nights`);
        }
        const nights = nightsOf(checkIn, checkOut);
        const items = [...rooms.values()]
          .filter((r) => r.city === city && (r.capacity ?? 1) >= guests && nights.every((d) => !held.has(`${r.id}|${d}`)))
          .sort((a, b) => a.pricePerNight - b.pricePerNight)
          .map((r) => ({ ...r, currency: r.currency ?? 'KRW', averageRating: null, reviewCount: 0, nights: nights.length, totalPrice: nights.length * r.pricePerNight }));
        return { status: 200, body: { items: items.slice(0, Number(searchParams.get('limit') ?? 50)), nextCursor: null } };
      }
      case 'GET /roomviews': {
        const city = searchParams.get('city');
        const items = [...rooms.values()].filter((r) => r.hostId === caller && (!city || r.city === city)).map(viewOf);
        return { status: 200, body: { items: items.slice(0, Number(searchParams.get('limit') ?? 50)), nextCursor: null } };
      }
      case 'GET /roomviews/:id': {
        const room = rooms.get(params[0]);
        return room && room.hostId === caller ? { status: 200, body: viewOf(room) } : error(404, 'NOT_FOUND', 'no such view');
      }
      default:
        return { status: 200, body: { id: params[0] ?? 'x' } };
    }
  }

  /**
   * One request: `{status, body (object or undefined), headers}`.
   * @param {string} method
   * @param {string} url
   * @param {string | null | undefined} body
   * @param {Record<string, string> | undefined} headers
   */
  function answer(method, url, body, headers) {
    const { pathname, searchParams } = new URL(url);
    // The gateway's /healthz, and the app's and sidecar's that sidecar-overhead measures.
    if (method === 'GET' && pathname.endsWith('/healthz')) {
      return { status: 200, body: { status: 'ok', services: { identity: 'up', room: 'up', reservation: 'up' } }, headers: {} };
    }
    let route;
    let params = [];
    for (const r of routes) {
      const m = r.method === method ? r.re.exec(pathname) : null;
      if (m) {
        route = r;
        params = m.slice(1).map(decodeURIComponent);
        break;
      }
    }
    if (!route) return { ...error(404, 'NOT_FOUND', `${method} ${pathname} is not on the allow-list`), headers: {} };
    // A token that is sent must be valid, on any route; a protected route needs one.
    const authorization = headerOf(headers, 'authorization');
    let caller = null;
    if (authorization !== undefined) {
      const m = /^Bearer (\S+)$/.exec(authorization);
      caller = m ? tokens.get(m[1]) ?? null : null;
      if (!caller) return { ...error(401, 'UNAUTHENTICATED', 'invalid token'), headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } };
    } else if (route.access !== 'public') {
      return { ...error(401, 'UNAUTHENTICATED', 'a bearer token is needed'), headers: { 'WWW-Authenticate': 'Bearer' } };
    }
    let input;
    if (body) {
      try {
        input = JSON.parse(body);
      } catch {
        return { ...error(400, 'MALFORMED_JSON', 'not JSON'), headers: {} };
      }
    }
    return conditional(method, pathname, headers, caller, { headers: {}, ...handle(route, params, method, searchParams, input, caller) });
  }

  /** The view answers with an ETag of the caller's answer and 304 to a matching If-None-Match, as viewpage does. */
  function conditional(method, pathname, headers, caller, out) {
    if (method !== 'GET' || !pathname.startsWith('/roomviews') || out.status !== 200) return out;
    const tag = `"${createHash('sha256').update(`${caller}\0${JSON.stringify(out.body)}`).digest('base64url').slice(0, 32)}"`;
    if (headerOf(headers, 'if-none-match') === tag) return { status: 304, body: undefined, headers: { ETag: tag } };
    return { ...out, headers: { ...out.headers, ETag: tag, 'Cache-Control': 'private, no-cache' } };
  }

  return { answer };
}
