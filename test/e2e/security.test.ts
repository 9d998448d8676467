import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import {
  allReservationsOf,
  api,
  bearer,
  dayFromToday,
  eventually,
  newUser,
  newUsers,
  OPERATOR_USERNAME,
  operator,
  stay,
  unique,
  uniqueUsername,
  type ApiAnswer,
  type User,
} from '../support/api';
import { invokeAsSaga } from '../support/sidecars';
import { StreamReader } from '../support/events';
import * as jose from 'jose';
import { rawRequest } from '../support/raw';

// The attacker's point of view, through the real gateway in front of the real services (API.md v2,
// "Identity and ownership", "Conventions"): who may call what, what another user sees of someone
// else's things, what an operator may do, forged tokens, paths that try to reach internal routes
// or the sidecar, spoofed identity headers, password guessing, and inputs the conventions refuse.
// Every refusal is paired with what shows it had no effect (and, where it helps, with a control
// that shows the same call does work for the one allowed to make it).

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..');
const DATA = process.env.STAYCAR_DATA_DIR ?? path.join(ROOT, '.data');
/** The gateway's own sidecar: the internal routes are reached by Dapr service invocation, as `reservation` does. */
const redis = new Redis({ port: Number(process.env.REDIS_PORT ?? 6379), lazyConnect: true });
const stream = new StreamReader(redis);

// ---- the victim's things, and the attacker -------------------------------------------------------

/** Signs up, registers and reserves; `mallory` tries to get at all of it. */
let victim: User;
let mallory: User;
const city = unique('SecurityCity');
let room: { id: string; name: string; pricePerNight: number };
let car: { id: string; model: string; seats: number };
/** The victim's confirmed reservation of its own room, with the car. */
let reservation: { id: string; paymentId: string; checkIn: string; checkOut: string };
const reservedDates = stay(10, 2);

beforeAll(async () => {
  await redis.connect();
  await stream.begin();
  [victim, mallory] = await newUsers(2, 'sec');
  // hostId and guestId left out: they are the caller's.
  const createdRoom = await victim.api('POST', '/rooms', { name: 'Victim room', city, pricePerNight: 50_000 });
  expect([createdRoom.status, createdRoom.body.hostId]).toEqual([201, victim.userId]);
  room = createdRoom.body;
  const createdCar = await victim.api('POST', '/rentcars', { model: 'Victim car', city, pricePerDay: 20_000 });
  expect([createdCar.status, createdCar.body.hostId]).toEqual([201, victim.userId]);
  car = createdCar.body;
  const reserved = await victim.api('POST', '/reservations', { roomId: room.id, carId: car.id, ...reservedDates });
  expect([reserved.status, reserved.body.guestId, reserved.body.status]).toEqual([201, victim.userId, 'confirmed']);
  reservation = reserved.body;
});

afterAll(() => redis.disconnect());

// ---- helpers ----------------------------------------------------------------------------------

const roomAvailable = async (roomId: string, dates: { checkIn: string; checkOut: string }): Promise<boolean> => {
  const res = await api('GET', `/rooms/${roomId}/availability?checkIn=${dates.checkIn}&checkOut=${dates.checkOut}`);
  expect(res.status).toBe(200);
  return res.body.available as boolean;
};

/** [status, error code] of an answer, for compact comparisons. */
const outcome = (res: { status: number; body: any }) => [res.status, res.body?.error?.code ?? null];

/** The 401 of a protected route called without a token: the API's error and the Bearer challenge. */
const unauthenticated = (res: ApiAnswer) => [res.status, res.headers.get('www-authenticate'), res.body?.error?.code];

/** A room of `host`, created for one test. */
async function roomOf(host: User, name = 'Spare room'): Promise<{ id: string }> {
  const res = await host.api('POST', '/rooms', { name, city, pricePerNight: 10_000 });
  expect(res.status).toBe(201);
  return res.body;
}

/** Waits until `eventType` of `id` is on the topic, then answers every event that carries `marker`. */
async function eventsWith(marker: string, eventType: string, id: string) {
  return eventually(
    async () => {
      const events = await stream.matching(marker);
      if (!events.some((e) => e.type === eventType && (e.data.roomId ?? e.data.carId) === id))
        throw new Error(`no ${eventType} of ${id} yet`);
      return events;
    },
    30_000,
    300,
  );
}

/** POST a review as `reviewer` once room has learnt the reservation is confirmed (it learns it from the event). */
async function reviewOnceConfirmed(reviewer: User, roomId: string, body: { reservationId: string; rating: number; comment?: string }) {
  return eventually(
    async () => {
      const res = await reviewer.api('POST', `/rooms/${roomId}/reviews`, body);
      if (res.status === 403 && res.body.error.code === 'REVIEW_NOT_ALLOWED')
        throw new Error('room has not consumed ReservationConfirmed yet');
      return res;
    },
    30_000,
    300,
  );
}

// ---- every route: anonymous, public, the owner -----------------------------------------------------

describe('every route of API.md without a token', () => {
  it('when a protected route is called without a token, then 401 UNAUTHENTICATED with WWW-Authenticate: Bearer, and nothing changed', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['POST', '/rooms', { name: 'Anonymous room', city, pricePerNight: 1 }],
      ['PATCH', `/rooms/${room.id}`, { name: 'Anonymous was here' }],
      ['DELETE', `/rooms/${room.id}`],
      ['POST', `/rooms/${room.id}/reviews`, { reservationId: reservation.id, rating: 1 }],
      ['POST', '/rentcars', { model: 'Anonymous car', city, pricePerDay: 1 }],
      ['PATCH', `/rentcars/${car.id}`, { model: 'Anonymous was here' }],
      ['DELETE', `/rentcars/${car.id}`],
      ['POST', '/reservations', { guestId: victim.userId, roomId: room.id, ...stay(20, 1) }],
      ['GET', '/reservations'],
      ['GET', `/reservations?guestId=${victim.userId}`],
      ['GET', `/reservations/${reservation.id}`],
      ['POST', `/reservations/${reservation.id}/cancel`],
      ['GET', `/payments?reservationId=${reservation.id}`],
      ['GET', `/payments/${reservation.paymentId}`],
      ['GET', '/messages'],
      ['GET', `/messages?recipientId=${victim.userId}`],
      ['GET', `/messages?reservationId=${reservation.id}`],
      ['GET', '/roomviews'],
      ['GET', `/roomviews/${room.id}`],
    ];
    const answers = [];
    for (const [method, route, body] of routes) answers.push([method, route, ...unauthenticated(await api(method, route, body))]);
    expect(answers).toEqual(routes.map(([method, route]) => [method, route, 401, 'Bearer', 'UNAUTHENTICATED']));

    expect((await api('GET', `/rooms/${room.id}`)).body).toMatchObject({ name: 'Victim room' });
    expect((await api('GET', `/rentcars/${car.id}`)).body).toMatchObject({ model: 'Victim car' });
    expect((await victim.api('GET', `/reservations/${reservation.id}`)).body.status).toBe('confirmed');
    expect(await roomAvailable(room.id, stay(20, 1))).toBe(true);
    expect((await api('GET', `/rooms/${room.id}/reviews`)).body.items).toEqual([]);
  });

  it('when a public route is called without a token, then it answers: health, sign-up, sign-in, keys, rooms, cars, availability, reviews, the dashboard', async () => {
    const username = uniqueUsername('sec-public');
    const password = 'a public route password';
    const q = `checkIn=${reservedDates.checkIn}&checkOut=${reservedDates.checkOut}`;
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/healthz'],
      ['POST', '/auth/signup', { username, password }],
      ['POST', '/auth/token', { username, password }],
      ['GET', '/auth/jwks.json'],
      ['GET', `/rooms?city=${city}`],
      ['GET', `/rooms/${room.id}`],
      ['GET', `/rooms/${room.id}/availability?${q}`],
      ['GET', `/rooms/${room.id}/reviews`],
      ['GET', `/rentcars?city=${city}`],
      ['GET', `/rentcars/${car.id}`],
      ['GET', `/rentcars/${car.id}/availability?${q}`],
      ['GET', '/'],
      ['GET', '/app.js'],
    ];
    const answers: Array<[string, string, number]> = [];
    for (const [method, route, body] of routes) answers.push([method, route, (await api(method, route, body)).status]);
    expect(answers).toEqual(routes.map(([method, route]) => [method, route, method === 'POST' && route === '/auth/signup' ? 201 : 200]));
    // What they answered is the real thing, not an error page.
    expect((await api('GET', `/rooms/${room.id}/availability?${q}`)).body).toEqual({ roomId: room.id, ...reservedDates, available: false });
    expect((await api('GET', '/auth/jwks.json')).body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect((await api('GET', '/auth/jwks.json')).body.keys[0]).not.toHaveProperty('d');
    expect((await api('GET', '/')).headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('when the owner calls the protected routes, then each works: reads, changes, a cancel, deletes', async () => {
    expect((await victim.api('GET', `/reservations/${reservation.id}`)).body).toMatchObject({
      id: reservation.id,
      guestId: victim.userId,
      status: 'confirmed',
    });
    expect((await victim.api('GET', '/reservations')).body.items.map((r: { id: string }) => r.id)).toContain(reservation.id);
    expect((await victim.api('GET', `/payments/${reservation.paymentId}`)).body).toMatchObject({
      id: reservation.paymentId,
      reservationId: reservation.id,
      status: 'approved',
    });
    expect((await victim.api('GET', `/payments?reservationId=${reservation.id}`)).body.items.map((p: { id: string }) => p.id)).toEqual([
      reservation.paymentId,
    ]);
    await eventually(async () => {
      const messages = await victim.api('GET', `/messages?reservationId=${reservation.id}`);
      expect(messages.body.items.map((m: { type: string }) => m.type).sort()).toEqual([
        'PaymentApproved',
        'RentcarReserved',
        'ReservationConfirmed',
      ]);
    });
    expect((await victim.api('GET', '/messages')).body.items.map((m: { reservationId: string }) => m.reservationId)).toContain(
      reservation.id,
    );
    const view = await eventually(async () => {
      const res = await victim.api('GET', `/roomviews/${room.id}`);
      expect(res.status).toBe(200);
      expect(res.body.reservations.map((r: { reservationId: string }) => r.reservationId)).toContain(reservation.id);
      return res.body;
    });
    expect(view).toMatchObject({ roomId: room.id, hostId: victim.userId });
    expect((await victim.api('GET', `/roomviews?city=${city}`)).body.items.map((v: { roomId: string }) => v.roomId)).toContain(room.id);
    const patchedRoom = await victim.api('PATCH', `/rooms/${room.id}`, { description: 'Owner edit' });
    expect([patchedRoom.status, patchedRoom.body.description]).toEqual([200, 'Owner edit']);
    const patchedCar = await victim.api('PATCH', `/rentcars/${car.id}`, { seats: 5 });
    expect([patchedCar.status, patchedCar.body.seats]).toEqual([200, 5]);

    const spare = await roomOf(victim);
    const spareCar = await victim.api('POST', '/rentcars', { model: 'Spare car', city, pricePerDay: 1_000 });
    const second = await victim.api('POST', '/reservations', { roomId: spare.id, ...stay(30, 1) });
    expect(second.status).toBe(201);
    expect((await victim.api('POST', `/reservations/${second.body.id}/cancel`)).body.status).toBe('cancelled');
    expect((await victim.api('DELETE', `/rentcars/${spareCar.body.id}`)).status).toBe(204);
    await eventually(async () => expect(await roomAvailable(spare.id, stay(30, 1))).toBe(true));
    expect((await victim.api('DELETE', `/rooms/${spare.id}`)).status).toBe(204);
  });
});

// ---- another user ---------------------------------------------------------------------------------

describe('another user', () => {
  it('when another user patches or deletes a room or car, then 403 FORBIDDEN and it stays as it was', async () => {
    const before = { room: (await api('GET', `/rooms/${room.id}`)).body, car: (await api('GET', `/rentcars/${car.id}`)).body };
    const answers = [
      outcome(await mallory.api('PATCH', `/rooms/${room.id}`, { name: 'Mine now', pricePerNight: 1 })),
      outcome(await mallory.api('DELETE', `/rooms/${room.id}`)),
      outcome(await mallory.api('PATCH', `/rentcars/${car.id}`, { model: 'Mine now', pricePerDay: 1 })),
      outcome(await mallory.api('DELETE', `/rentcars/${car.id}`)),
    ];
    expect(answers).toEqual(Array(4).fill([403, 'FORBIDDEN']));
    expect((await api('GET', `/rooms/${room.id}`)).body).toEqual(before.room);
    expect((await api('GET', `/rentcars/${car.id}`)).body).toEqual(before.car);

    // A room without reservations, which its host could delete: another user cannot.
    const spare = await roomOf(victim);
    expect(outcome(await mallory.api('DELETE', `/rooms/${spare.id}`))).toEqual([403, 'FORBIDDEN']);
    expect((await api('GET', `/rooms/${spare.id}`)).status).toBe(200);
    expect((await victim.api('DELETE', `/rooms/${spare.id}`)).status).toBe(204);
  });

  it('when another user names someone else as hostId or guestId, then 403 FORBIDDEN and nothing is registered or reserved', async () => {
    const marker = unique('not-yours');
    const dates = stay(40, 2);
    expect(outcome(await mallory.api('POST', '/rooms', { hostId: victim.userId, name: `Room ${marker}`, city, pricePerNight: 1 }))).toEqual(
      [403, 'FORBIDDEN'],
    );
    expect(
      outcome(await mallory.api('POST', '/rentcars', { hostId: victim.userId, model: `Car ${marker}`, city, pricePerDay: 1 })),
    ).toEqual([403, 'FORBIDDEN']);
    expect(outcome(await mallory.api('POST', '/reservations', { guestId: victim.userId, roomId: room.id, ...dates }))).toEqual([
      403,
      'FORBIDDEN',
    ]);
    expect(outcome(await mallory.api('GET', `/reservations?guestId=${victim.userId}`))).toEqual([403, 'FORBIDDEN']);
    expect(await roomAvailable(room.id, dates)).toBe(true);
    expect((await allReservationsOf(victim)).filter((r) => r.roomId === room.id).map((r) => r.id)).toEqual([reservation.id]);

    // The same, naming herself: registered. Its event is the only one that carries the marker.
    const mine = await mallory.api('POST', '/rooms', { hostId: mallory.userId, name: `Room ${marker}`, city, pricePerNight: 1 });
    expect(mine.status).toBe(201);
    const events = await eventsWith(marker, 'RoomRegistered', mine.body.id);
    expect(events.map((e) => [e.type, e.data.roomId, e.data.hostId])).toEqual([['RoomRegistered', mine.body.id, mallory.userId]]);
    const myCar = await mallory.api('POST', '/rentcars', { model: `Car ${marker}`, city, pricePerDay: 1 });
    expect(myCar.status).toBe(201);
    const carEvents = (await eventsWith(marker, 'RentcarRegistered', myCar.body.id)).filter((e) => e.type.startsWith('Rentcar'));
    expect(carEvents.map((e) => [e.type, e.data.carId, e.data.hostId])).toEqual([['RentcarRegistered', myCar.body.id, mallory.userId]]);
  });

  it("when another user reads or cancels a reservation, its payment, its messages or its room's view, then 404, an empty list or 403, as API.md says", async () => {
    // They exist: the owner sees them (once the events have been consumed).
    await eventually(async () => {
      expect((await victim.api('GET', `/messages?reservationId=${reservation.id}`)).body.items).toHaveLength(3);
      expect((await victim.api('GET', `/roomviews/${room.id}`)).status).toBe(200);
    });

    const answers = {
      reservation: outcome(await mallory.api('GET', `/reservations/${reservation.id}`)),
      cancel: outcome(await mallory.api('POST', `/reservations/${reservation.id}/cancel`)),
      payment: outcome(await mallory.api('GET', `/payments/${reservation.paymentId}`)),
      paymentsOfReservation: (await mallory.api('GET', `/payments?reservationId=${reservation.id}`)).body,
      messagesOfRecipient: outcome(await mallory.api('GET', `/messages?recipientId=${victim.userId}`)),
      messagesOfReservation: (await mallory.api('GET', `/messages?reservationId=${reservation.id}`)).body,
      view: outcome(await mallory.api('GET', `/roomviews/${room.id}`)),
      review: outcome(await mallory.api('POST', `/rooms/${room.id}/reviews`, { reservationId: reservation.id, rating: 1 })),
    };
    expect(answers).toEqual({
      reservation: [404, 'NOT_FOUND'],
      cancel: [404, 'NOT_FOUND'],
      payment: [404, 'NOT_FOUND'],
      paymentsOfReservation: { items: [], nextCursor: null },
      messagesOfRecipient: [403, 'FORBIDDEN'],
      messagesOfReservation: { items: [], nextCursor: null },
      view: [404, 'NOT_FOUND'],
      review: [403, 'REVIEW_NOT_ALLOWED'],
    });
    // Her own lists do not show them either.
    expect((await mallory.api('GET', '/reservations')).body.items.map((r: { id: string }) => r.id)).not.toContain(reservation.id);
    expect((await mallory.api('GET', '/messages')).body.items.map((m: { reservationId: string }) => m.reservationId)).not.toContain(
      reservation.id,
    );
    expect((await mallory.api('GET', `/roomviews?city=${city}`)).body.items.map((v: { roomId: string }) => v.roomId)).not.toContain(
      room.id,
    );

    // Nothing changed for the owner.
    expect((await victim.api('GET', `/reservations/${reservation.id}`)).body.status).toBe('confirmed');
    expect((await victim.api('GET', `/payments/${reservation.paymentId}`)).body.status).toBe('approved');
    expect(await roomAvailable(room.id, reservedDates)).toBe(false);
    expect((await api('GET', `/rooms/${room.id}/reviews`)).body.items).toEqual([]);
  });
});

// ---- operators ---------------------------------------------------------------------------------

const describeWithOperator = OPERATOR_USERNAME ? describe : describe.skip;
if (!OPERATOR_USERNAME) {
  console.warn(
    '[security] operator tests skipped: this run reuses a system started elsewhere (STAYCAR_E2E_REUSE=1) and no STAYCAR_E2E_OPERATOR names one of its ADMIN_USERNAMES',
  );
}

describeWithOperator("an operator (a username in the gateway's ADMIN_USERNAMES)", () => {
  let op: User;
  beforeAll(async () => {
    op = await operator();
  });

  it("when the operator reads another user's reservation, payment, messages and room view, then each answers", async () => {
    expect((await op.api('GET', `/reservations/${reservation.id}`)).body).toMatchObject({ id: reservation.id, guestId: victim.userId });
    expect((await op.api('GET', `/reservations?guestId=${victim.userId}`)).body.items.map((r: { id: string }) => r.id)).toContain(
      reservation.id,
    );
    expect((await op.api('GET', `/payments/${reservation.paymentId}`)).body).toMatchObject({
      id: reservation.paymentId,
      status: 'approved',
    });
    expect((await op.api('GET', `/payments?reservationId=${reservation.id}`)).body.items.map((p: { id: string }) => p.id)).toEqual([
      reservation.paymentId,
    ]);
    await eventually(async () => {
      expect((await op.api('GET', `/messages?reservationId=${reservation.id}`)).body.items).toHaveLength(3);
      const ofVictim = await op.api('GET', `/messages?recipientId=${victim.userId}`);
      expect(ofVictim.status).toBe(200);
      expect(ofVictim.body.items.filter((m: { reservationId: string }) => m.reservationId === reservation.id)).toHaveLength(3);
      const view = await op.api('GET', `/roomviews/${room.id}`);
      expect([view.status, view.body.hostId]).toEqual([200, victim.userId]);
      expect((await op.api('GET', `/roomviews?city=${city}`)).body.items.map((v: { roomId: string }) => v.roomId)).toContain(room.id);
    });
    // The same reads by a user who is no operator are refused (the flag comes from ADMIN_USERNAMES only).
    expect(outcome(await mallory.api('GET', `/reservations/${reservation.id}`))).toEqual([404, 'NOT_FOUND']);
  });

  it("when the operator cancels another user's reservation or changes their room or car, then 403 FORBIDDEN and nothing changes", async () => {
    const answers = [
      outcome(await op.api('POST', `/reservations/${reservation.id}/cancel`)),
      outcome(await op.api('PATCH', `/rooms/${room.id}`, { name: 'Operator edit' })),
      outcome(await op.api('DELETE', `/rentcars/${car.id}`)),
      outcome(await op.api('POST', '/rooms', { hostId: victim.userId, name: 'Operator room', city, pricePerNight: 1 })),
      outcome(await op.api('POST', '/reservations', { guestId: victim.userId, roomId: room.id, ...stay(50, 1) })),
    ];
    expect(answers).toEqual(Array(5).fill([403, 'FORBIDDEN']));
    expect((await victim.api('GET', `/reservations/${reservation.id}`)).body.status).toBe('confirmed');
    expect((await api('GET', `/rooms/${room.id}`)).body.name).toBe('Victim room');
    expect((await api('GET', `/rentcars/${car.id}`)).status).toBe(200);
    expect(await roomAvailable(room.id, stay(50, 1))).toBe(true);
  });
});

// ---- reviews --------------------------------------------------------------------------------------

describe('reviews', () => {
  it('when a user reviews a room without a confirmed reservation of it, then 403 REVIEW_NOT_ALLOWED and no review is stored', async () => {
    const reviewed = await roomOf(victim, 'Reviewed room');
    const elsewhere = await roomOf(victim, 'Another room');
    const stayElsewhere = await mallory.api('POST', '/reservations', { roomId: elsewhere.id, ...stay(60, 1) });
    expect(stayElsewhere.status).toBe(201);
    // Her reservation is good for the room she stayed in (once room has learnt it is confirmed)…
    expect((await reviewOnceConfirmed(mallory, elsewhere.id, { reservationId: stayElsewhere.body.id, rating: 5 })).status).toBe(201);
    // …and for no other room; nor is a made-up reservation.
    expect(
      outcome(await mallory.api('POST', `/rooms/${reviewed.id}/reviews`, { reservationId: stayElsewhere.body.id, rating: 1 })),
    ).toEqual([403, 'REVIEW_NOT_ALLOWED']);
    expect(outcome(await mallory.api('POST', `/rooms/${reviewed.id}/reviews`, { reservationId: unique('res'), rating: 1 }))).toEqual([
      403,
      'REVIEW_NOT_ALLOWED',
    ]);
    expect((await api('GET', `/rooms/${reviewed.id}/reviews`)).body).toEqual({ items: [], nextCursor: null });
  });

  it('when the guest of a confirmed stay reviews the room, then 201 (the comment may hold line breaks and tabs); a second review of that reservation is 409 ALREADY_REVIEWED', async () => {
    const reviewed = await roomOf(victim, 'Reviewed room');
    const reviewer = await newUser('sec-reviewer');
    const stayed = await reviewer.api('POST', '/reservations', { roomId: reviewed.id, ...stay(70, 2) });
    expect(stayed.status).toBe(201);
    const comment = 'Quiet street.\n\tWould stay again.';
    const first = await reviewOnceConfirmed(reviewer, reviewed.id, { reservationId: stayed.body.id, rating: 4, comment });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ roomId: reviewed.id, guestId: reviewer.userId, reservationId: stayed.body.id, rating: 4, comment });
    const again = await reviewer.api('POST', `/rooms/${reviewed.id}/reviews`, { reservationId: stayed.body.id, rating: 1 });
    expect(outcome(again)).toEqual([409, 'ALREADY_REVIEWED']);
    expect((await api('GET', `/rooms/${reviewed.id}/reviews`)).body.items).toEqual([first.body]);
  });

  it('when the reservation was cancelled, then a review of it is 403 REVIEW_NOT_ALLOWED', async () => {
    const reviewed = await roomOf(victim, 'Reviewed room');
    const reviewer = await newUser('sec-cancelled');
    const dates = stay(80, 2);
    const stayed = await reviewer.api('POST', '/reservations', { roomId: reviewed.id, ...dates });
    expect(stayed.status).toBe(201);
    expect((await reviewer.api('POST', `/reservations/${stayed.body.id}/cancel`)).status).toBe(200);
    // room has consumed the cancellation once the nights are free again.
    await eventually(async () => expect(await roomAvailable(reviewed.id, dates)).toBe(true), 30_000, 300);
    expect(outcome(await reviewer.api('POST', `/rooms/${reviewed.id}/reviews`, { reservationId: stayed.body.id, rating: 2 }))).toEqual([
      403,
      'REVIEW_NOT_ALLOWED',
    ]);
    expect((await api('GET', `/rooms/${reviewed.id}/reviews`)).body.items).toEqual([]);
  });
});

// ---- forged tokens --------------------------------------------------------------------------------

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const decodePart = (token: string, part: 0 | 1): Record<string, any> =>
  JSON.parse(Buffer.from(token.split('.')[part], 'base64url').toString('utf8'));

/** The issuer's signing keys of the local run (scripts/lib/secrets.mjs writes them; identity signs with the first). */
function localSigningKeys(): Array<Record<string, string>> | undefined {
  try {
    const secrets = JSON.parse(fs.readFileSync(path.join(DATA, 'secrets', 'secrets.json'), 'utf8')) as Record<string, string>;
    return JSON.parse(secrets['jwt-signing-keys']) as Array<Record<string, string>>;
  } catch {
    return undefined;
  }
}
const signingKeys = localSigningKeys();
const itWithSigningKey = signingKeys ? it : it.skip;
if (!signingKeys)
  console.warn(`[security] tokens signed with the issuer's own key skipped: no readable ${path.join(DATA, 'secrets', 'secrets.json')}`);

describe('forged and broken tokens through the real gateway', () => {
  /** 401 with the invalid_token challenge, on a protected route (the victim's reservation) and on a public one. */
  async function refused(token: string): Promise<unknown[]> {
    const asVictim = await bearer(token)('GET', `/reservations/${reservation.id}`);
    const onPublic = await bearer(token)('GET', `/rooms/${room.id}`);
    return [...unauthenticated(asVictim), ...unauthenticated(onPublic)];
  }
  const REFUSED = [401, 'Bearer error="invalid_token"', 'UNAUTHENTICATED', 401, 'Bearer error="invalid_token"', 'UNAUTHENTICATED'];

  it('when a token is unsigned (alg: none), signed by another ES256 key, HMAC-signed with the public key, tampered with, or garbage, then 401 invalid_token on protected and public routes', async () => {
    const header = decodePart(victim.token, 0);
    const claims = decodePart(victim.token, 1);
    const [headerPart, claimsPart] = victim.token.split('.');
    const signed = `${headerPart}.${claimsPart}`;

    const other = await jose.generateKeyPair('ES256');
    const otherKeySameKid = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: header.kid })
      .sign(other.privateKey);
    const otherKeyOwnKid = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: unique('kid') })
      .sign(other.privateKey);
    const jwk = (await api('GET', '/auth/jwks.json')).body.keys.find((k: { kid: string }) => k.kid === header.kid);
    const publicPem = await jose.exportSPKI((await jose.importJWK(jwk, 'ES256')) as Parameters<typeof jose.exportSPKI>[0]);
    const hmacWith = (secret: string) => {
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: header.kid })}.${claimsPart}`;
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    };
    const malloryParts = mallory.token.split('.');
    const forged: Record<string, string> = {
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${claimsPart}.`,
      'alg none with a kid': `${b64({ alg: 'none', typ: 'JWT', kid: header.kid })}.${claimsPart}.`,
      'another ES256 key, the issuer kid': otherKeySameKid,
      'another ES256 key, its own kid': otherKeyOwnKid,
      'HS256 with the public key (PEM) as secret': hmacWith(publicPem),
      'HS256 with the public key (JWK) as secret': hmacWith(JSON.stringify(jwk)),
      "mallory's token with the victim's sub": `${malloryParts[0]}.${b64({ ...decodePart(mallory.token, 1), sub: victim.userId })}.${malloryParts[2]}`,
      'signature cut off': `${signed}.`,
      'signature of another token': `${signed}.${malloryParts[2]}`,
      'two parts': signed,
      garbage: 'garbage',
      'dots only': '..',
    };
    const answers = Object.fromEntries(
      await Promise.all(Object.entries(forged).map(async ([name, token]) => [name, await refused(token)])),
    );
    expect(answers).toEqual(Object.fromEntries(Object.keys(forged).map((name) => [name, REFUSED])));

    // Other schemes and an empty Bearer are refused too; the real token works (control).
    for (const authorization of [
      `Basic ${Buffer.from(`${victim.username}:${victim.password}`).toString('base64')}`,
      'Bearer',
      `Token ${victim.token}`,
    ]) {
      expect((await api('GET', `/reservations/${reservation.id}`, undefined, { authorization })).status).toBe(401);
    }
    expect((await victim.api('GET', `/reservations/${reservation.id}`)).status).toBe(200);
  });

  itWithSigningKey(
    "when a token signed with the issuer's own key is expired, not yet valid, without exp, from another issuer or for another audience, then 401; with valid claims it passes (control)",
    async () => {
      const header = decodePart(victim.token, 0);
      const claims = decodePart(victim.token, 1);
      const jwk = signingKeys!.find((k) => k.kid === header.kid);
      expect(jwk).toBeDefined();
      const key = await jose.importJWK(jwk!, 'ES256');
      const now = Math.floor(Date.now() / 1000);
      const sign = (payload: Record<string, unknown>) =>
        new jose.SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: header.kid }).sign(key);
      const valid = { ...claims, iat: now, exp: now + 300, jti: unique('jti') };

      const control = await bearer(await sign(valid))('GET', `/reservations/${reservation.id}`);
      expect([control.status, control.body.id]).toEqual([200, reservation.id]);

      const { exp: _exp, ...withoutExp } = valid;
      const forged: Record<string, string> = {
        expired: await sign({ ...valid, iat: now - 7200, exp: now - 3600 }),
        'expired a minute ago': await sign({ ...valid, iat: now - 3600, exp: now - 60 }),
        'not yet valid': await sign({ ...valid, nbf: now + 3600 }),
        'without exp': await sign(withoutExp),
        'another issuer': await sign({ ...valid, iss: 'https://login.attacker.example' }),
        'another audience': await sign({ ...valid, aud: 'another-api' }),
        'without sub': await sign({ ...valid, sub: undefined }),
      };
      const answers = Object.fromEntries(
        await Promise.all(Object.entries(forged).map(async ([name, token]) => [name, await refused(token)])),
      );
      expect(answers).toEqual(Object.fromEntries(Object.keys(forged).map((name) => [name, REFUSED])));
    },
  );
});

// ---- the gateway's bypasses (issue 13) -------------------------------------------------------------

describe('paths that try to reach internal routes or the sidecar', () => {
  it('when GET /payments/..%2Finternal%2Fpayments%2Fby-reservation%2F{id} (and the %5C, %2e%2e and %252F forms) is sent, then 404 NOT_FOUND and the payment is not in the answer', async () => {
    const id = reservation.id;
    const targets = [
      `/payments/..%2Finternal%2Fpayments%2Fby-reservation%2F${id}`,
      `/payments/..%5Cinternal%5Cpayments%5Cby-reservation%5C${id}`,
      `/payments/%2e%2e%2Finternal%2Fpayments%2Fby-reservation%2F${id}`,
      `/payments/%2E%2E%2Finternal%2Fpayments%2Fby-reservation%2F${id}`,
      `/payments/..%252Finternal%252Fpayments%252Fby-reservation%252F${id}`,
      `/payments/%2e%2e`,
    ];
    for (const token of [mallory.token, victim.token]) {
      const answers = [];
      for (const target of targets) {
        const res = await rawRequest('GET', target, { authorization: `Bearer ${token}` });
        answers.push([target, res.status, res.body?.error?.code, res.text.includes(reservation.paymentId)]);
      }
      expect(answers).toEqual(targets.map((target) => [target, 404, 'NOT_FOUND', false]));
    }
    // What the internal route would have told (control): the payment, by Dapr service invocation.
    expect((await invokeAsSaga('GET', 'payment', `/internal/payments/by-reservation/${id}`)).body).toMatchObject({
      id: reservation.paymentId,
    });
  });

  it('when DELETE /rooms/..%2Finternal%2Frooms%2F{roomId}%2Fholds%2F{reservationId} (and the %5C, %2e%2e and %252F forms) is sent, then 404 NOT_FOUND and the hold still stands; released the internal way, it goes (control)', async () => {
    const held = await roomOf(victim, 'Held room');
    const holdId = unique('hold');
    const dates = stay(90, 2);
    const hold = await invokeAsSaga('POST', 'room', `/internal/rooms/${held.id}/holds`, {
      reservationId: holdId,
      guestId: mallory.userId,
      ...dates,
    });
    expect([hold.status, hold.body.status]).toEqual([201, 'held']);
    const targets = [
      `/rooms/..%2Finternal%2Frooms%2F${held.id}%2Fholds%2F${holdId}`,
      `/rooms/..%5Cinternal%5Crooms%5C${held.id}%5Cholds%5C${holdId}`,
      `/rooms/%2e%2e%2Finternal%2Frooms%2F${held.id}%2Fholds%2F${holdId}`,
      `/rooms/..%252Finternal%252Frooms%252F${held.id}%252Fholds%252F${holdId}`,
      `/rooms/..%2F..%2Finternal%2Frooms%2F${held.id}%2Fholds%2F${holdId}`,
    ];
    for (const token of [mallory.token, victim.token]) {
      const answers = [];
      for (const target of targets) {
        const res = await rawRequest('DELETE', target, { authorization: `Bearer ${token}` });
        answers.push([target, res.status, res.body?.error?.code]);
      }
      expect(answers).toEqual(targets.map((target) => [target, 404, 'NOT_FOUND']));
    }
    expect(await roomAvailable(held.id, dates)).toBe(false);
    expect((await api('GET', `/rooms/${held.id}`)).status).toBe(200);

    expect((await invokeAsSaga('DELETE', 'room', `/internal/rooms/${held.id}/holds/${holdId}`)).status).toBe(204);
    expect(await roomAvailable(held.id, dates)).toBe(true);
  });

  it('when GET /rooms/..%2F..%2F..%2F..%2F..%2Fdapr%2Fsubscribe is sent with Authorization: Basic (dapr-app-id:payment), then 404 NOT_FOUND and no subscription list', async () => {
    const targets = [
      '/rooms/..%2F..%2F..%2F..%2F..%2Fdapr%2Fsubscribe',
      '/rooms/%2e%2e%2F%2e%2e%2F%2e%2e%2Fdapr%2Fsubscribe',
      '/rooms/..%5C..%5C..%5Cdapr%5Csubscribe',
      '/rooms/..%252F..%252F..%252Fdapr%252Fsubscribe',
    ];
    const answers = [];
    for (const target of targets) {
      const res = await rawRequest('GET', target, { authorization: 'Basic ZGFwci1hcHAtaWQ6cGF5bWVudA==' });
      answers.push([target, res.status, res.body?.error?.code, res.text.includes('pubsubname')]);
    }
    expect(answers).toEqual(targets.map((target) => [target, 404, 'NOT_FOUND', false]));
    // The same request-target without the Basic header is refused the same way.
    expect((await rawRequest('GET', targets[0])).status).toBe(404);
  });

  it('when an id holds a NUL (%00), is a dot segment or has 101 characters, then 404 NOT_FOUND at the gateway and nothing is deleted; 100 characters reach the service', async () => {
    const spare = await roomOf(victim);
    const long = 'a'.repeat(101);
    const auth = { authorization: `Bearer ${victim.token}` };
    const answers = [
      ['GET /rooms/%00', await rawRequest('GET', '/rooms/%00')],
      ['GET /rooms/{id}%00', await rawRequest('GET', `/rooms/${spare.id}%00`)],
      ['GET /rooms/%00{id}', await rawRequest('GET', `/rooms/%00${spare.id}`)],
      ['DELETE /rooms/{id}%00', await rawRequest('DELETE', `/rooms/${spare.id}%00`, auth)],
      ['DELETE /rooms/{id}%2500', await rawRequest('DELETE', `/rooms/${spare.id}%2500`, auth)],
      ['DELETE /rooms/%2e', await rawRequest('DELETE', '/rooms/%2e', auth)],
      ['DELETE /rooms/%2e%2e', await rawRequest('DELETE', '/rooms/%2e%2e', auth)],
      ['GET /rooms/{101}', await rawRequest('GET', `/rooms/${long}`)],
      ['GET /reservations/{101}', await rawRequest('GET', `/reservations/${long}`, auth)],
      ['DELETE /rentcars/{101}', await rawRequest('DELETE', `/rentcars/${long}`, auth)],
    ].map(([name, res]) => [name, (res as { status: number }).status, (res as { body: any }).body?.error?.code]);
    expect(answers).toEqual(answers.map(([name]) => [name, 404, 'NOT_FOUND']));
    // A 100-character id is a valid id: the gateway forwards it and room answers that there is no such room.
    expect(outcome(await rawRequest('GET', `/rooms/${'a'.repeat(100)}`))).toEqual([404, 'ROOM_NOT_FOUND']);

    // The room is still there, and its host can delete it the proper way (control).
    expect((await api('GET', `/rooms/${spare.id}`)).status).toBe(200);
    expect((await victim.api('DELETE', `/rooms/${spare.id}`)).status).toBe(204);
  });
});

// ---- identity headers from the client ------------------------------------------------------------

describe('identity headers sent by the client', () => {
  it('when a client sends x-staycar-user-id and x-staycar-operator itself, then they are ignored: without a token it is 401, with one it is who the token says', async () => {
    const spoof = { 'x-staycar-user-id': victim.userId, 'x-staycar-operator': 'true' };
    const spare = await roomOf(victim);
    expect(unauthenticated(await api('GET', `/reservations/${reservation.id}`, undefined, spoof))).toEqual([
      401,
      'Bearer',
      'UNAUTHENTICATED',
    ]);
    expect(unauthenticated(await api('DELETE', `/rooms/${spare.id}`, undefined, spoof))).toEqual([401, 'Bearer', 'UNAUTHENTICATED']);
    expect(unauthenticated(await api('GET', '/roomviews', undefined, { 'X-Staycar-User-Id': victim.userId }))).toEqual([
      401,
      'Bearer',
      'UNAUTHENTICATED',
    ]);

    const answers = {
      reservation: outcome(await mallory.api('GET', `/reservations/${reservation.id}`, undefined, spoof)),
      listOfVictim: outcome(await mallory.api('GET', `/reservations?guestId=${victim.userId}`, undefined, spoof)),
      payment: outcome(await mallory.api('GET', `/payments/${reservation.paymentId}`, undefined, spoof)),
      messages: outcome(await mallory.api('GET', `/messages?recipientId=${victim.userId}`, undefined, spoof)),
      view: outcome(await mallory.api('GET', `/roomviews/${room.id}`, undefined, spoof)),
      patch: outcome(await mallory.api('PATCH', `/rooms/${room.id}`, { name: 'Spoofed' }, spoof)),
      delete: outcome(await mallory.api('DELETE', `/rooms/${spare.id}`, undefined, spoof)),
    };
    expect(answers).toEqual({
      reservation: [404, 'NOT_FOUND'],
      listOfVictim: [403, 'FORBIDDEN'],
      payment: [404, 'NOT_FOUND'],
      messages: [403, 'FORBIDDEN'],
      view: [404, 'NOT_FOUND'],
      patch: [403, 'FORBIDDEN'],
      delete: [403, 'FORBIDDEN'],
    });
    // With her own token, she is herself: her own list is hers.
    expect((await mallory.api('GET', '/reservations', undefined, spoof)).status).toBe(200);
    expect((await api('GET', `/rooms/${spare.id}`)).status).toBe(200);
    expect((await api('GET', `/rooms/${room.id}`)).body.name).toBe('Victim room');
    expect((await victim.api('DELETE', `/rooms/${spare.id}`)).status).toBe(204);
  });
});

// ---- password guessing ----------------------------------------------------------------------------

describe('password guessing on POST /auth/token', () => {
  it('when one username gets 11 wrong passwords within a minute, then the 11th is 429 RATE_LIMITED with Retry-After (and so is the right password), while another username still gets 401 and can sign in', async () => {
    // Signed up only (no sign-in yet): every attempt below is one of this minute's.
    const target = { username: uniqueUsername('sec-guessed'), password: 'the right password, 1' };
    expect((await api('POST', '/auth/signup', target)).status).toBe(201);
    const bystander = await newUser('sec-bystander');

    const answers: ApiAnswer[] = [];
    for (let i = 0; i < 11; i++)
      answers.push(await api('POST', '/auth/token', { username: target.username, password: `wrong password ${i}` }));
    expect(answers.map(outcome)).toEqual([...Array(10).fill([401, 'INVALID_CREDENTIALS']), [429, 'RATE_LIMITED']]);
    const retryAfter = Number(answers[10].headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(outcome(await api('POST', '/auth/token', target))).toEqual([429, 'RATE_LIMITED']);

    // The limit is per client address and username: another username from the same address is not limited.
    expect(outcome(await api('POST', '/auth/token', { username: bystander.username, password: 'not the password' }))).toEqual([
      401,
      'INVALID_CREDENTIALS',
    ]);
    expect((await api('POST', '/auth/token', { username: bystander.username, password: bystander.password })).status).toBe(200);
  });
});

// ---- inputs the conventions refuse --------------------------------------------------------------

describe('inputs the conventions of API.md refuse', () => {
  it('when name or city of a room, or model or city of a car, holds a control character, then 400 VALIDATION_FAILED naming the field, and nothing is registered', async () => {
    const marker = unique('ctl');
    const rooms: Array<[Record<string, string>, string]> = [
      [{ name: `Sea\u0000view ${marker}`, city: 'Busan' }, 'name'],
      [{ name: `Bell\u0007 ${marker}`, city: 'Busan' }, 'name'],
      [{ name: `Two\nlines ${marker}`, city: 'Busan' }, 'name'],
      [{ name: `Delete\u007f ${marker}`, city: 'Busan' }, 'name'],
      [{ name: `Room ${marker}`, city: 'Bu\tsan' }, 'city'],
      [{ name: `Room ${marker}`, city: '\u001b[31mBusan' }, 'city'],
      [{ name: `Room ${marker}`, city: 'Busan\r\n' }, 'city'],
    ];
    const roomAnswers = [];
    for (const [fields] of rooms) {
      const res = await mallory.api('POST', '/rooms', { ...fields, pricePerNight: 1, description: marker });
      roomAnswers.push([res.status, res.body?.error?.code, res.body?.error?.details?.map((d: { field: string }) => d.field)]);
    }
    expect(roomAnswers).toEqual(rooms.map(([, field]) => [400, 'VALIDATION_FAILED', [field]]));
    const cars: Array<[Record<string, string>, string]> = [
      [{ model: `Ioniq\u0000 ${marker}`, city: 'Jeju' }, 'model'],
      [{ model: `Ioniq\n${marker}`, city: 'Jeju' }, 'model'],
      [{ model: `Ioniq ${marker}`, city: 'Je\u001fju' }, 'city'],
      [{ model: `Ioniq ${marker}`, city: 'Jeju\u007f' }, 'city'],
    ];
    const carAnswers = [];
    for (const [fields] of cars) {
      const res = await mallory.api('POST', '/rentcars', { ...fields, pricePerDay: 1 });
      carAnswers.push([res.status, res.body?.error?.code, res.body?.error?.details?.map((d: { field: string }) => d.field)]);
    }
    expect(carAnswers).toEqual(cars.map(([, field]) => [400, 'VALIDATION_FAILED', [field]]));
    // A PATCH is held to the same rules.
    expect(outcome(await victim.api('PATCH', `/rooms/${room.id}`, { name: 'Bad\u0000name' }))).toEqual([400, 'VALIDATION_FAILED']);
    expect((await api('GET', `/rooms/${room.id}`)).body.name).toBe('Victim room');

    // Then one that is fine, with the same marker: its events are the only ones that carry it.
    const good = await mallory.api('POST', '/rooms', { name: `Room ${marker}`, city: 'Busan', pricePerNight: 1, description: marker });
    expect(good.status).toBe(201);
    const goodCar = await mallory.api('POST', '/rentcars', { model: `Ioniq ${marker}`, city: 'Jeju', pricePerDay: 1 });
    expect(goodCar.status).toBe(201);
    await eventsWith(marker, 'RoomRegistered', good.body.id);
    const events = await eventsWith(marker, 'RentcarRegistered', goodCar.body.id);
    expect(events.map((e) => [e.type, e.data.roomId ?? e.data.carId]).sort()).toEqual([
      ['RentcarRegistered', goodCar.body.id],
      ['RoomRegistered', good.body.id],
    ]);
  });

  it('when displayName holds a control character, then sign-up is 400 VALIDATION_FAILED and the username stays free', async () => {
    const password = 'a good enough password';
    for (const displayName of ['Ann\u0000', 'Ann\nLee', '\u001b[31mAnn', 'Ann\u007f', 'Ann\tLee']) {
      const username = uniqueUsername('sec-display');
      const refused = await api('POST', '/auth/signup', { username, password, displayName });
      expect([...outcome(refused), refused.body.error.details.map((d: { field: string }) => d.field)]).toEqual([
        400,
        'VALIDATION_FAILED',
        ['displayName'],
      ]);
      expect(outcome(await api('POST', '/auth/token', { username, password }))).toEqual([401, 'INVALID_CREDENTIALS']);
      const accepted = await api('POST', '/auth/signup', { username, password, displayName: 'Ann Lee' });
      expect([accepted.status, accepted.body.displayName]).toEqual([201, 'Ann Lee']);
    }
  });

  it('when a description holds tabs and line breaks, then the room is registered with them as sent; a control character in a description or comment is 400', async () => {
    const description = 'Two floors.\n\tGarden at the back.\r\nQuiet.';
    const created = await mallory.api('POST', '/rooms', { name: 'Multiline room', city, pricePerNight: 1, description });
    expect([created.status, created.body.description]).toEqual([201, description]);
    expect((await api('GET', `/rooms/${created.body.id}`)).body.description).toBe(description);
    const refused = await mallory.api('PATCH', `/rooms/${created.body.id}`, { description: 'Bell\u0007' });
    expect([...outcome(refused), refused.body.error.details[0].field]).toEqual([400, 'VALIDATION_FAILED', 'description']);
    const comment = await mallory.api('POST', `/rooms/${created.body.id}/reviews`, {
      reservationId: unique('res'),
      rating: 3,
      comment: 'Nul\u0000',
    });
    expect([...outcome(comment), comment.body.error.details[0].field]).toEqual([400, 'VALIDATION_FAILED', 'comment']);
    expect((await api('GET', `/rooms/${created.body.id}`)).body.description).toBe(description);
  });

  it('when checkIn is yesterday or 501 days ahead, then 400 VALIDATION_FAILED on POST /reservations and on both availability routes; today and 500 days ahead are fine', async () => {
    const guest = await newUser('sec-dates');
    const ranges = {
      yesterday: { checkIn: dayFromToday(-1), checkOut: dayFromToday(1) },
      '501 days ahead': { checkIn: dayFromToday(501), checkOut: dayFromToday(502) },
    };
    for (const [name, dates] of Object.entries(ranges)) {
      const q = `checkIn=${dates.checkIn}&checkOut=${dates.checkOut}`;
      const answers = [
        await guest.api('POST', '/reservations', { roomId: room.id, ...dates }),
        await api('GET', `/rooms/${room.id}/availability?${q}`),
        await api('GET', `/rentcars/${car.id}/availability?${q}`),
      ].map((res) => [name, ...outcome(res), res.body?.error?.details?.map((d: { field: string }) => d.field)]);
      expect(answers).toEqual(Array(3).fill([name, 400, 'VALIDATION_FAILED', ['checkIn']]));
    }
    expect(await allReservationsOf(guest)).toEqual([]);

    for (const dates of [
      { checkIn: dayFromToday(0), checkOut: dayFromToday(1) },
      { checkIn: dayFromToday(500), checkOut: dayFromToday(501) },
    ]) {
      const q = `checkIn=${dates.checkIn}&checkOut=${dates.checkOut}`;
      expect((await api('GET', `/rooms/${room.id}/availability?${q}`)).body).toEqual({ roomId: room.id, ...dates, available: true });
      expect((await api('GET', `/rentcars/${car.id}/availability?${q}`)).body).toEqual({ carId: car.id, ...dates, available: true });
    }
  });
});
