import Redis from 'ioredis';
import { api, eventually, newUsers, stay, unique, type User } from '../support/api';
import { invokeAsSaga } from '../support/sidecars';
import { publishData, StreamReader } from '../support/events';

// Rooms and rental cars through the gateway, against the real system (daprd, MariaDB, Redis).
// Internal hold routes are not in the gateway's allow-list: they are called through a sidecar by
// Dapr service invocation, as `reservation` does.
const redis = new Redis({ port: Number(process.env.REDIS_PORT ?? 6379), lazyConnect: true });

const stream = new StreamReader(redis);

/** The host of every room and car here, and a guest for the holds (real users, signed up once). */
let host: User;
let guest: User;

beforeAll(async () => {
  await redis.connect();
  await stream.begin();
  [host, guest] = await newUsers(2, 'catalog');
});
afterAll(() => {
  redis.disconnect();
});

interface CloudEvent {
  type: string;
  data: Record<string, any>;
}

/** Events on the topic whose data names `id` (newest last). */
async function eventsAbout(id: string): Promise<CloudEvent[]> {
  return stream.matching(id);
}

/** Waits until every `type@version` is on the topic for `id`. */
async function expectEvents(id: string, expected: [string, number][]): Promise<CloudEvent[]> {
  return eventually(
    async () => {
      const events = await eventsAbout(id);
      const seen = events.map((e) => `${e.type}@${e.data.version}`);
      for (const [type, version] of expected) {
        if (!seen.includes(`${type}@${version}`)) throw new Error(`no ${type} v${version} for ${id} yet (seen: ${seen.join(', ')})`);
      }
      return events;
    },
    30_000,
    500,
  );
}

/** Publishes on the real broker through a real sidecar (room's), as `reservation` does with its outbox. */
const publishReservationEvent = (type: string, data: object): Promise<void> => publishData(type, data);

const newRoom = () => ({ hostId: host.userId, name: 'Sea view', city: 'Busan', pricePerNight: 90000 });
const newCar = () => ({ hostId: host.userId, model: 'Ioniq 5', city: 'Jeju', pricePerDay: 70000 });

async function createRoom(): Promise<Record<string, any>> {
  const res = await host.api('POST', '/rooms', newRoom());
  expect(res.status).toBe(201);
  return res.body;
}

const holdRoom = (roomId: string, reservationId: string, range: { checkIn: string; checkOut: string }) =>
  invokeAsSaga('POST', 'room', `/internal/rooms/${roomId}/holds`, { reservationId, guestId: guest.userId, ...range });

/**
 * A confirmed reservation of `roomId` by `reviewer` through the real saga, and then the review:
 * room learns "confirmed" from ReservationConfirmed, so until that event is consumed a review is
 * 403 REVIEW_NOT_ALLOWED and is tried again.
 */
async function reviewAfterStay(
  reviewer: User,
  roomId: string,
  dates: { checkIn: string; checkOut: string },
  review: { rating: number; comment?: string },
) {
  const reservation = await reviewer.api('POST', '/reservations', { roomId, ...dates });
  expect(reservation.status).toBe(201);
  return eventually(
    async () => {
      const res = await reviewer.api('POST', `/rooms/${roomId}/reviews`, { reservationId: reservation.body.id, ...review });
      if (res.status === 403 && res.body.error.code === 'REVIEW_NOT_ALLOWED')
        throw new Error('room has not consumed ReservationConfirmed yet');
      return { reservationId: reservation.body.id as string, res };
    },
    30_000,
    300,
  );
}

describe('rooms', () => {
  it('when a room is registered, read, patched and deleted, then each answer is right, 404 ROOM_NOT_FOUND after, and each change is an event', async () => {
    const input = newRoom();
    const created = await host.api('POST', '/rooms', input);
    expect(created.status).toBe(201);
    const room = created.body;
    expect(room).toEqual({
      id: expect.stringMatching(/^room_/),
      ...input,
      currency: 'KRW',
      description: '',
      capacity: 1,
      cancellationPolicy: 'flexible',
      timeZone: 'Asia/Seoul',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect((await api('GET', `/rooms/${room.id}`)).body).toEqual(room);

    const patched = await host.api('PATCH', `/rooms/${room.id}`, { capacity: 3, description: 'Quiet' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ ...room, capacity: 3, description: 'Quiet', updatedAt: expect.any(String) });
    expect((await api('GET', `/rooms/${room.id}`)).body).toEqual(patched.body);

    expect((await host.api('DELETE', `/rooms/${room.id}`)).status).toBe(204);
    const gone = await api('GET', `/rooms/${room.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('ROOM_NOT_FOUND');

    const events = await expectEvents(room.id, [
      ['RoomRegistered', 1],
      ['RoomModified', 2],
      ['RoomDeleted', 3],
    ]);
    expect(events.find((e) => e.type === 'RoomModified')!.data).toMatchObject({
      roomId: room.id,
      capacity: 3,
      description: 'Quiet',
      name: 'Sea view',
      occurredAt: expect.any(String),
    });
    expect(events.find((e) => e.type === 'RoomDeleted')!.data).toMatchObject({ roomId: room.id, hostId: input.hostId, city: 'Busan' });
  });

  it('when the input is invalid (unknown field in PATCH, blank name, limit > 100 on reviews), then 400 VALIDATION_FAILED naming the field', async () => {
    const room = await createRoom();
    const patch = await host.api('PATCH', `/rooms/${room.id}`, { name: 'ok', hostId: 'someone-else', color: 'red' });
    expect(patch.status).toBe(400);
    expect(patch.body.error.code).toBe('VALIDATION_FAILED');
    expect(patch.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['color', 'hostId']);
    expect((await api('GET', `/rooms/${room.id}`)).body.name).toBe('Sea view');

    const blank = await host.api('POST', '/rooms', { ...newRoom(), name: '   ' });
    expect(blank.status).toBe(400);
    expect(blank.body.error.details).toEqual([{ field: 'name', reason: expect.any(String) }]);

    const limit = await api('GET', `/rooms/${room.id}/reviews?limit=101`);
    expect(limit.status).toBe(400);
    expect(limit.body.error.details[0].field).toBe('limit');
  });

  it('when six PATCHes of different fields of one room race, then every field survives', async () => {
    const room = await createRoom();
    const patches = [
      { name: 'Renamed' },
      { city: 'Seoul' },
      { pricePerNight: 12345 },
      { description: 'Bright' },
      { capacity: 6 },
      { name: 'Renamed' },
    ];
    const answers = await Promise.all(patches.map((p) => host.api('PATCH', `/rooms/${room.id}`, p)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect((await api('GET', `/rooms/${room.id}`)).body).toMatchObject({
      name: 'Renamed',
      city: 'Seoul',
      pricePerNight: 12345,
      description: 'Bright',
      capacity: 6,
    });
    await expectEvents(
      room.id,
      [2, 3, 4, 5, 6, 7].map((v) => ['RoomModified', v] as [string, number]),
    );
  });

  it('when guests who stayed post reviews, then 201 Review, the list shows them newest first, and ReviewCreated carries the totals', async () => {
    const room = await createRoom();
    const [guestA, guestB, guestC] = await newUsers(3, 'reviewer');
    const { reservationId, res: first } = await reviewAfterStay(guestA, room.id, stay(70, 2), { rating: 4, comment: 'Nice' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.any(String),
      roomId: room.id,
      guestId: guestA.userId,
      reservationId,
      rating: 4,
      comment: 'Nice',
      createdAt: expect.any(String),
    });
    expect((await reviewAfterStay(guestB, room.id, stay(72, 2), { rating: 5 })).res.status).toBe(201);
    const tooHigh = await reviewAfterStay(guestC, room.id, stay(74, 2), { rating: 6 });
    expect([tooHigh.res.status, tooHigh.res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);

    const page = await api('GET', `/rooms/${room.id}/reviews?limit=1`);
    expect(page.body.items.map((r: { guestId: string }) => r.guestId)).toEqual([guestB.userId]);
    const rest = await api('GET', `/rooms/${room.id}/reviews?limit=1&cursor=${page.body.nextCursor}`);
    expect(rest.body).toEqual({ items: [first.body], nextCursor: null });
    expect((await api('GET', '/rooms/room_unknown/reviews')).body.error.code).toBe('ROOM_NOT_FOUND');

    const events = await expectEvents(room.id, [
      ['ReviewCreated', 1],
      ['ReviewCreated', 2],
    ]);
    expect(events.filter((e) => e.type === 'ReviewCreated').pop()!.data).toMatchObject({
      reviewCount: 2,
      averageRating: 4.5,
      roomId: room.id,
    });
  });
});

describe('room calendar', () => {
  it('when nights are held, then availability is false for overlapping stays and true back-to-back', async () => {
    const room = await createRoom();
    const nights = stay(10, 3);
    const ask = async (range: { checkIn: string; checkOut: string }) =>
      (await api('GET', `/rooms/${room.id}/availability?checkIn=${range.checkIn}&checkOut=${range.checkOut}`)).body;
    expect(await ask(nights)).toEqual({ roomId: room.id, ...nights, available: true });
    expect((await holdRoom(room.id, unique('res'), nights)).status).toBe(201);
    expect((await ask(nights)).available).toBe(false);
    expect((await ask(stay(12, 2))).available).toBe(false);
    expect((await ask(stay(13, 2))).available).toBe(true);
    expect((await ask(stay(8, 2))).available).toBe(true);
    const backwards = await api('GET', `/rooms/${room.id}/availability?checkIn=${nights.checkOut}&checkOut=${nights.checkIn}`);
    expect([backwards.status, backwards.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(
      (await api('GET', `/rooms/${room.id}/availability?checkIn=${stay(0, 91).checkIn}&checkOut=${stay(0, 91).checkOut}`)).status,
    ).toBe(400);
  });

  it('when holds of the same nights race through the internal route, then exactly one 201 and the rest refused with 409 ROOM_UNAVAILABLE', async () => {
    const room = await createRoom();
    const nights = stay(20, 2);
    const answers = await Promise.all(Array.from({ length: 6 }, () => holdRoom(room.id, unique('res'), nights)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const losers = answers.filter((a) => a.status !== 201);
    // Refusals of the saga's internal routes are 200 {rejected} (docs/contracts.md: a 409 would trip Dapr's breaker).
    expect(losers.map((a) => [a.status, a.body.rejected?.status, a.body.rejected?.error.code])).toEqual(
      Array(5).fill([200, 409, 'ROOM_UNAVAILABLE']),
    );
  });

  it('when a room has a confirmed booking ahead, then DELETE is 409 ROOM_HAS_RESERVATIONS and the room stays', async () => {
    const room = await createRoom();
    const reservationId = unique('res');
    const held = await holdRoom(room.id, reservationId, stay(30, 2));
    expect(held.status).toBe(201);
    expect(held.body).toMatchObject({
      roomId: room.id,
      reservationId,
      status: 'held',
      nights: 2,
      pricePerNight: 90000,
      roomName: 'Sea view',
      city: 'Busan',
    });
    const confirmed = await invokeAsSaga('POST', 'room', `/internal/rooms/${room.id}/holds/${reservationId}/confirm`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'booked', expiresAt: null });
    const refused = await host.api('DELETE', `/rooms/${room.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('ROOM_HAS_RESERVATIONS');
    expect((await api('GET', `/rooms/${room.id}`)).status).toBe(200);
  });

  it('when ReservationCancelled arrives on the topic, then the room frees the booked nights (subscription)', async () => {
    const room = await createRoom();
    const reservationId = unique('res');
    const nights = stay(40, 2);
    const guestId = guest.userId;
    await invokeAsSaga('POST', 'room', `/internal/rooms/${room.id}/holds`, { reservationId, guestId, ...nights });
    await invokeAsSaga('POST', 'room', `/internal/rooms/${room.id}/holds/${reservationId}/confirm`);
    await publishReservationEvent('ReservationCancelled', {
      id: reservationId,
      reservationId,
      guestId,
      roomId: room.id,
      carId: null,
      ...nights,
      nights: 2,
      status: 'cancelled',
      version: 2,
    });
    await eventually(
      async () => {
        const res = await api('GET', `/rooms/${room.id}/availability?checkIn=${nights.checkIn}&checkOut=${nights.checkOut}`);
        if (res.body.available !== true) throw new Error('still booked');
      },
      30_000,
      500,
    );
    expect((await host.api('DELETE', `/rooms/${room.id}`)).status).toBe(204);
  });
});

describe('rental cars', () => {
  it('when a car is registered, read, patched and deleted, then each answer is right, 404 CAR_NOT_FOUND after, and each change is an event', async () => {
    const input = newCar();
    const created = await host.api('POST', '/rentcars', input);
    expect(created.status).toBe(201);
    const car = created.body;
    expect(car).toEqual({
      id: expect.stringMatching(/^car_/),
      ...input,
      currency: 'KRW',
      seats: 4,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect((await api('GET', `/rentcars/${car.id}`)).body).toEqual(car);
    const patched = await host.api('PATCH', `/rentcars/${car.id}`, { seats: 7, pricePerDay: 80000 });
    expect(patched.body).toMatchObject({ seats: 7, pricePerDay: 80000, model: 'Ioniq 5' });
    const bad = await host.api('PATCH', `/rentcars/${car.id}`, { currency: 'USD' });
    expect([bad.status, bad.body.error.details[0].field]).toEqual([400, 'currency']);
    expect((await host.api('DELETE', `/rentcars/${car.id}`)).status).toBe(204);
    const gone = await api('GET', `/rentcars/${car.id}`);
    expect([gone.status, gone.body.error.code]).toEqual([404, 'CAR_NOT_FOUND']);
    await expectEvents(car.id, [
      ['RentcarRegistered', 1],
      ['RentcarModified', 2],
      ['RentcarDeleted', 3],
    ]);
  });

  it('when a car is held and confirmed, then unavailable for those days, RentcarReserved once, DELETE 409 CAR_HAS_RESERVATIONS', async () => {
    const car = (await host.api('POST', '/rentcars', newCar())).body;
    const reservationId = unique('res');
    const days = stay(50, 3);
    const held = await invokeAsSaga('POST', 'rentcar', `/internal/rentcars/${car.id}/holds`, {
      reservationId,
      guestId: guest.userId,
      ...days,
    });
    expect(held.status).toBe(201);
    expect(held.body).toMatchObject({ carId: car.id, status: 'held', nights: 3, pricePerDay: 70000, model: 'Ioniq 5', city: 'Jeju' });
    const rival = await invokeAsSaga('POST', 'rentcar', `/internal/rentcars/${car.id}/holds`, {
      reservationId: unique('res'),
      guestId: guest.userId,
      ...stay(52, 2),
    });
    // Refusals of the saga's internal routes are 200 {rejected} (docs/contracts.md: a 409 would trip Dapr's breaker).
    expect([rival.status, rival.body.rejected?.status, rival.body.rejected?.error.code]).toEqual([200, 409, 'CAR_UNAVAILABLE']);
    const ask = async (range: { checkIn: string; checkOut: string }) =>
      (await api('GET', `/rentcars/${car.id}/availability?checkIn=${range.checkIn}&checkOut=${range.checkOut}`)).body;
    expect(await ask(days)).toEqual({ carId: car.id, ...days, available: false });
    expect((await ask(stay(53, 1))).available).toBe(true);

    for (let i = 0; i < 2; i++) {
      const confirmed = await invokeAsSaga('POST', 'rentcar', `/internal/rentcars/${car.id}/holds/${reservationId}/confirm`);
      expect(confirmed.body.status).toBe('booked');
    }
    const refused = await host.api('DELETE', `/rentcars/${car.id}`);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'CAR_HAS_RESERVATIONS']);
    const events = await expectEvents(reservationId, [['RentcarReserved', 1]]);
    expect(events.filter((e) => e.type === 'RentcarReserved')).toHaveLength(1);
    expect(events[0].data).toMatchObject({ carId: car.id, reservationId, ...days });
  });

  it('when ReservationConfirmed then ReservationCancelled name the car, then RentcarReserved then RentcarReleased (once each) and the days are free', async () => {
    const car = (await host.api('POST', '/rentcars', newCar())).body;
    const reservationId = unique('res');
    const guestId = guest.userId;
    const days = stay(60, 2);
    expect((await invokeAsSaga('POST', 'rentcar', `/internal/rentcars/${car.id}/holds`, { reservationId, guestId, ...days })).status).toBe(
      201,
    );
    const reservation = {
      id: reservationId,
      reservationId,
      guestId,
      roomId: unique('room'),
      carId: car.id,
      ...days,
      nights: 2,
      amount: 1,
      currency: 'KRW',
    };
    await publishReservationEvent('ReservationConfirmed', { ...reservation, status: 'confirmed', version: 1 });
    await expectEvents(reservationId, [['RentcarReserved', 1]]);
    expect((await host.api('DELETE', `/rentcars/${car.id}`)).status).toBe(409);
    await publishReservationEvent('ReservationCancelled', { ...reservation, status: 'cancelled', version: 2 });
    const events = await expectEvents(reservationId, [['RentcarReleased', 2]]);
    expect(events.find((e) => e.type === 'RentcarReleased')!.data).toMatchObject({ carId: car.id, reservationId, guestId, ...days });
    expect(events.filter((e) => e.type.startsWith('Rentcar')).map((e) => e.type)).toEqual(['RentcarReserved', 'RentcarReleased']);
    const ask = await api('GET', `/rentcars/${car.id}/availability?checkIn=${days.checkIn}&checkOut=${days.checkOut}`);
    expect(ask.body.available).toBe(true);
  });
});
