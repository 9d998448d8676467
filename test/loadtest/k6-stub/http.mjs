// A stand-in for k6/http that records every call and answers like a tiny, correct staycar.
import { current, recorded } from './state.mjs';

let nextId = 0;
const reservations = []; // confirmed reservations
const heldNights = new Set(); // `${roomOrCar}|${day}`

const DAY_MS = 86_400_000;
const nightsOf = (checkIn, checkOut) => {
  const out = [];
  for (let t = Date.parse(checkIn); t < Date.parse(checkOut); t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
};

function respond(status, body) {
  const text = body === undefined ? '' : JSON.stringify(body);
  return {
    status,
    body: text,
    headers: {},
    timings: { duration: 1, waiting: 1 },
    json() {
      return JSON.parse(text);
    },
  };
}

function answer(method, url, body) {
  const { pathname, searchParams } = new URL(url);
  const input = body ? JSON.parse(body) : undefined;
  if (pathname.endsWith('/healthz')) return respond(200, { status: 'ok', services: { room: 'up', reservation: 'up' } });
  if (method === 'POST' && (pathname === '/rooms' || pathname === '/rentcars')) return respond(201, { id: `stub-${++nextId}`, ...input });
  if (method === 'POST' && pathname === '/reservations') {
    const keys = [input.roomId, input.carId].filter(Boolean).flatMap((id) => nightsOf(input.checkIn, input.checkOut).map((d) => `${id}|${d}`));
    if (keys.some((k) => heldNights.has(k))) return respond(409, { error: { code: 'ROOM_UNAVAILABLE', message: 'taken', details: [] } });
    keys.forEach((k) => heldNights.add(k));
    const reservation = { id: `res-${++nextId}`, status: 'confirmed', carId: null, ...input };
    reservations.push(reservation);
    return respond(201, reservation);
  }
  if (method === 'GET' && pathname === '/reservations') {
    return respond(200, { items: reservations.filter((r) => r.guestId === searchParams.get('guestId')), nextCursor: null });
  }
  const view = /^\/roomviews\/([^/]+)$/.exec(pathname);
  if (method === 'GET' && view) {
    const items = reservations.filter((r) => r.roomId === view[1]).map((r) => ({ reservationId: r.id, guestId: r.guestId, checkIn: r.checkIn, checkOut: r.checkOut, status: r.status }));
    return respond(200, { roomId: view[1], reservations: items });
  }
  if (method === 'GET' && /^\/(roomviews|rooms|rentcars)$/.test(pathname)) return respond(200, { items: [], nextCursor: null });
  return respond(200, { id: pathname.split('/').pop() });
}

export function request(method, url, body, _params) {
  recorded.calls.push({ method, url: String(url), scenario: current.scenario });
  return answer(method, String(url), body ?? undefined);
}
export const get = (url, params) => request('GET', url, null, params);
export const post = (url, body, params) => request('POST', url, body, params);
export const put = (url, body, params) => request('PUT', url, body, params);
export const patch = (url, body, params) => request('PATCH', url, body, params);
export const del = (url, body, params) => request('DELETE', url, body, params);
export function batch(requests) {
  return requests.map((r) => (Array.isArray(r) ? request(r[0], r[1], r[2], r[3]) : typeof r === 'string' ? get(r) : request(r.method ?? 'GET', r.url, r.body, r.params)));
}
export const expectedStatuses = (...statuses) => ({ expectedStatuses: statuses });
export function setResponseCallback() {}
export default { request, get, post, put, patch, del, batch, expectedStatuses, setResponseCallback };
