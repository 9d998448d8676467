import { randomId } from '@staycar/common';
import request from 'supertest';
import pino from 'pino';
import { MemoryStatePort as MemoryState } from '@staycar/common/testing';
import { as, asOperator } from '../../common/test/support/identity';
import { deliver, outcome } from '../../common/test/support/internalCalls';
import { describeListingHolds, describeListingOwnership, type ListingUnderTest } from '../../common/test/support/listingSuites';
import { roomKeys } from '../src/adapters/state';
import { roomUseCases } from '../src/app';
import { createApp } from '../src/http/app';

const config = { pubsub: 'pubsub', eventsTopics: ['events'], deadLetterTopic: 'events-dead' };

function setup(options: { holdTtlSeconds?: number; writeAttempts?: number } = {}) {
  const state = new MemoryState();
  let now = new Date('2030-01-01T00:00:00Z');
  const advance = (seconds: number) => void (now = new Date(now.getTime() + seconds * 1000));
  const logger = pino({ level: 'silent' });
  const useCases = roomUseCases(
    { state, keys: roomKeys, logger, now: () => now, newId: randomId },
    { holdTtlSeconds: options.holdTtlSeconds ?? 600, writeAttempts: options.writeAttempts ?? 12 },
  );
  const app = createApp({ config, logger, ...useCases, sidecarHealthy: async () => true });
  return { app, state, advance };
}

const newRoom = { hostId: 'host-1', name: 'Sea view', city: 'Busan', pricePerNight: 90000 };
const nights = (checkIn: string, checkOut: string) => ({ checkIn, checkOut });
const HOST = as('host-1');

async function createRoom(app: ReturnType<typeof setup>['app'], body: object = newRoom) {
  const res = await request(app).post('/rooms').set(HOST).send(body);
  expect(res.status).toBe(201);
  return res.body as { id: string } & Record<string, unknown>;
}

const hold = (
  app: ReturnType<typeof setup>['app'],
  roomId: string,
  reservationId: string,
  range = nights('2030-02-01', '2030-02-03'),
  guestId = 'guest-1',
) =>
  request(app)
    .post(`/internal/rooms/${roomId}/holds`)
    .send({ reservationId, guestId, ...range })
    .then(outcome);

describe('rooms over HTTP', () => {
  it('when a room is registered, then 201 with defaults, an opaque id and RoomRegistered version 1', async () => {
    const { app, state } = setup();
    const room = await createRoom(app);
    expect(room).toEqual({
      id: expect.stringMatching(/^room_[0-9a-f]+$/),
      ...newRoom,
      currency: 'KRW',
      description: '',
      capacity: 1,
      cancellationPolicy: 'flexible',
      timeZone: 'Asia/Seoul',
      createdAt: '2030-01-01T00:00:00.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
    });
    expect(state.eventsOf('RoomRegistered')).toEqual([
      expect.objectContaining({ roomId: room.id, version: 1, name: 'Sea view', capacity: 1 }),
    ]);
    expect((await request(app).get(`/rooms/${room.id}`)).body).toEqual(room);
  });

  it('when fields are missing, blank, too long, out of range or unknown, then 400 VALIDATION_FAILED per field and nothing stored', async () => {
    const { app, state } = setup();
    const res = await request(app)
      .post('/rooms')
      .set(HOST)
      .send({ hostId: 'bad host!', name: '   ', city: 'x'.repeat(201), pricePerNight: 1.5, capacity: 51, extra: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'capacity',
      'city',
      'extra',
      'hostId',
      'name',
      'pricePerNight',
    ]);
    expect(state.published).toEqual([]);
    const money = await request(app)
      .post('/rooms')
      .set(HOST)
      .send({ ...newRoom, pricePerNight: 100_000_001 });
    expect(money.body.error.details).toEqual([{ field: 'pricePerNight', reason: expect.any(String) }]);
    expect(
      (
        await request(app)
          .post('/rooms')
          .set(HOST)
          .send({ ...newRoom, description: 'd'.repeat(5001) })
      ).status,
    ).toBe(400);
  });

  it('when values sit exactly on the limits, then they are accepted (price 0 and 100000000, capacity 50, 200-char name, 5000-char description)', async () => {
    const { app } = setup();
    for (const body of [
      { ...newRoom, pricePerNight: 0, capacity: 50 },
      {
        ...newRoom,
        pricePerNight: 100_000_000,
        name: 'n'.repeat(200),
        city: 'c'.repeat(200),
        description: 'd'.repeat(5000),
        currency: 'USD',
      },
    ]) {
      const res = await request(app).post('/rooms').set(HOST).send(body);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject(body);
    }
    expect(
      (
        await request(app)
          .post('/rooms')
          .set(HOST)
          .send({ ...newRoom, capacity: 0 })
      ).status,
    ).toBe(400);
    expect(
      (
        await request(app)
          .post('/rooms')
          .set(as('h'.repeat(100)))
          .send({ ...newRoom, hostId: 'h'.repeat(101) })
      ).status,
    ).toBe(400);
    expect(
      (
        await request(app)
          .post('/rooms')
          .set(as('a-Z_0.9:x@y'))
          .send({ ...newRoom, hostId: 'a-Z_0.9:x@y' })
      ).status,
    ).toBe(201);
  });

  it('when the body is not JSON, then 400 MALFORMED_JSON', async () => {
    const { app } = setup();
    const res = await request(app).post('/rooms').set(HOST).set('content-type', 'application/json').send('{"hostId":');
    expect(res.body.error.code).toBe('MALFORMED_JSON');
  });

  it('when an unknown or deleted room is asked for, then 404 ROOM_NOT_FOUND', async () => {
    const { app } = setup();
    for (const id of ['room_nope', 'bad||id']) {
      const res = await request(app).get(`/rooms/${encodeURIComponent(id)}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('ROOM_NOT_FOUND');
    }
    expect((await request(app).patch('/rooms/room_nope').set(HOST).send({ name: 'x' })).body.error.code).toBe('ROOM_NOT_FOUND');
    expect((await request(app).delete('/rooms/room_nope').set(HOST)).body.error.code).toBe('ROOM_NOT_FOUND');
    expect((await request(app).get('/rooms/room_nope/availability?checkIn=2030-02-01&checkOut=2030-02-02')).body.error.code).toBe(
      'ROOM_NOT_FOUND',
    );
    expect((await request(app).post('/rooms/room_nope/reviews').set(as('g')).send({ reservationId: 'r', rating: 5 })).body.error.code).toBe(
      'ROOM_NOT_FOUND',
    );
    expect((await request(app).get('/rooms/room_nope/reviews')).body.error.code).toBe('ROOM_NOT_FOUND');
    expect((await hold(app, 'room_nope', 'res-1')).body.error.code).toBe('ROOM_NOT_FOUND');
  });

  it('when patched, then only those fields change and RoomModified carries the full room with version 2', async () => {
    const { app, state, advance } = setup();
    const room = await createRoom(app);
    advance(60);
    const res = await request(app).patch(`/rooms/${room.id}`).set(HOST).send({ capacity: 3, description: 'Quiet' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...room, capacity: 3, description: 'Quiet', updatedAt: '2030-01-01T00:01:00.000Z' });
    expect(state.eventsOf('RoomModified')).toEqual([
      expect.objectContaining({ roomId: room.id, capacity: 3, description: 'Quiet', city: 'Busan', version: 2 }),
    ]);
  });

  it('when a PATCH names id, hostId, createdAt, currency or an unknown field, or nothing, then 400 per field', async () => {
    const { app, state } = setup();
    const room = await createRoom(app);
    const res = await request(app)
      .patch(`/rooms/${room.id}`)
      .set(HOST)
      .send({ id: 'x', hostId: 'h', createdAt: 'now', currency: 'USD', color: 'red', name: 'ok' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'color',
      'createdAt',
      'currency',
      'hostId',
      'id',
    ]);
    expect((await request(app).patch(`/rooms/${room.id}`).set(HOST).send({})).status).toBe(400);
    expect((await request(app).patch(`/rooms/${room.id}`).set(HOST).send({ name: ' ' })).status).toBe(400);
    expect(state.eventsOf('RoomModified')).toEqual([]);
  });

  it('when six PATCHes of different fields race, then every field survives and versions 2..7 were published', async () => {
    const { app, state } = setup();
    const room = await createRoom(app);
    const patches = [{ name: 'N' }, { city: 'Seoul' }, { pricePerNight: 1 }, { description: 'D' }, { capacity: 7 }, { name: 'N' }];
    const answers = await Promise.all(patches.map((p) => request(app).patch(`/rooms/${room.id}`).set(HOST).send(p)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect((await request(app).get(`/rooms/${room.id}`)).body).toMatchObject({
      name: 'N',
      city: 'Seoul',
      pricePerNight: 1,
      description: 'D',
      capacity: 7,
    });
    expect(
      state
        .eventsOf('RoomModified')
        .map((e) => e.version)
        .sort(),
    ).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('when a write keeps losing ETag races, then 503 TRY_LATER with Retry-After and nothing changed', async () => {
    const { app, state } = setup({ writeAttempts: 3 });
    const room = await createRoom(app);
    state.conflictsToInject = 3;
    const res = await request(app).patch(`/rooms/${room.id}`).set(HOST).send({ name: 'Never' });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('TRY_LATER');
    expect(res.headers['retry-after']).toBeDefined();
    expect((await request(app).get(`/rooms/${room.id}`)).body.name).toBe('Sea view');
  });

  it('when deleted, then 204, RoomDeleted with the next version, and 404 afterwards (also a second delete)', async () => {
    const { app, state } = setup();
    const room = await createRoom(app);
    await request(app).patch(`/rooms/${room.id}`).set(HOST).send({ name: 'x' });
    expect((await request(app).delete(`/rooms/${room.id}`).set(HOST)).status).toBe(204);
    expect(state.eventsOf('RoomDeleted')).toEqual([
      { roomId: room.id, hostId: 'host-1', city: 'Busan', version: 3, occurredAt: expect.any(String) },
    ]);
    expect((await request(app).get(`/rooms/${room.id}`)).body.error.code).toBe('ROOM_NOT_FOUND');
    expect((await request(app).delete(`/rooms/${room.id}`).set(HOST)).status).toBe(404);
    expect((await hold(app, room.id, 'res-late')).status).toBe(404);
  });
});

describe('availability', () => {
  it('when nights are held, then unavailable for overlapping stays and available back-to-back', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    const ask = (checkIn: string, checkOut: string) =>
      request(app).get(`/rooms/${room.id}/availability?checkIn=${checkIn}&checkOut=${checkOut}`);
    expect((await ask('2030-02-01', '2030-02-03')).body).toEqual({
      roomId: room.id,
      checkIn: '2030-02-01',
      checkOut: '2030-02-03',
      available: true,
    });
    await hold(app, room.id, 'res-1');
    expect((await ask('2030-02-02', '2030-02-04')).body.available).toBe(false);
    expect((await ask('2030-02-03', '2030-02-05')).body.available).toBe(true);
    expect((await ask('2030-01-30', '2030-02-01')).body.available).toBe(true);
  });

  it('when the dates are invalid (order, same day, > 90 nights, not a day, missing, unknown param), then 400 VALIDATION_FAILED', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    for (const query of [
      'checkIn=2030-02-03&checkOut=2030-02-01',
      'checkIn=2030-02-01&checkOut=2030-02-01',
      'checkIn=2030-01-01&checkOut=2030-04-02',
      'checkIn=2030-02-30&checkOut=2030-03-02',
      'checkIn=2030-02-01',
      'checkIn=2030-02-01&checkOut=2030-02-02&x=1',
    ]) {
      const res = await request(app).get(`/rooms/${room.id}/availability?${query}`);
      expect([query, res.status, res.body.error?.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
    }
    expect((await request(app).get(`/rooms/${room.id}/availability?checkIn=2030-01-01&checkOut=2030-04-01`)).status).toBe(200);
  });

  it('when checkIn is before today (UTC) or more than 500 days ahead, then 400 VALIDATION_FAILED on checkIn, the same rule as POST /reservations', async () => {
    const { app } = setup(); // today is 2030-01-01
    const room = await createRoom(app);
    const ask = (checkIn: string, checkOut: string) =>
      request(app).get(`/rooms/${room.id}/availability?checkIn=${checkIn}&checkOut=${checkOut}`);
    for (const [checkIn, checkOut, reason] of [
      ['2029-12-31', '2030-01-02', 'must be today (UTC) or later'],
      ['2031-05-17', '2031-05-18', 'must be at most 500 days ahead'],
    ]) {
      const res = await ask(checkIn, checkOut);
      expect([res.status, res.body.error]).toEqual([
        400,
        { code: 'VALIDATION_FAILED', message: 'The dates are not a valid stay.', details: [{ field: 'checkIn', reason }] },
      ]);
    }
    expect((await ask('2030-01-01', '2030-01-02')).body.available).toBe(true);
    expect((await ask('2031-05-16', '2031-05-18')).body.available).toBe(true); // exactly 500 days ahead
  });
});

describe('cancellation terms (issue 18)', () => {
  it('when a room is registered with a policy and a time zone, then the room, its event and its holds carry them', async () => {
    const { app, state } = setup();
    const room = await createRoom(app, { ...newRoom, cancellationPolicy: 'strict', timeZone: 'Pacific/Auckland' });
    expect(room).toMatchObject({ cancellationPolicy: 'strict', timeZone: 'Pacific/Auckland' });
    expect(state.eventsOf('RoomRegistered')).toEqual([
      expect.objectContaining({ cancellationPolicy: 'strict', timeZone: 'Pacific/Auckland' }),
    ]);
    expect((await hold(app, room.id, 'res-1')).body).toMatchObject({ cancellationPolicy: 'strict', timeZone: 'Pacific/Auckland' });
  });

  it('when the host patches them, then the room and RoomModified change; holds made before keep the terms of their time', async () => {
    const { app, state } = setup();
    const room = await createRoom(app);
    await hold(app, room.id, 'res-1');
    const res = await request(app)
      .patch(`/rooms/${room.id}`)
      .set(HOST)
      .send({ cancellationPolicy: 'non_refundable', timeZone: 'America/Los_Angeles' });
    expect(res.body).toMatchObject({ cancellationPolicy: 'non_refundable', timeZone: 'America/Los_Angeles', name: 'Sea view' });
    expect(state.eventsOf('RoomModified')).toEqual([
      expect.objectContaining({ cancellationPolicy: 'non_refundable', timeZone: 'America/Los_Angeles', version: 2 }),
    ]);
    expect((await hold(app, room.id, 'res-1')).body).toMatchObject({ cancellationPolicy: 'flexible', timeZone: 'Asia/Seoul' });
    expect((await hold(app, room.id, 'res-2', nights('2030-03-01', '2030-03-02'))).body).toMatchObject({
      cancellationPolicy: 'non_refundable',
      timeZone: 'America/Los_Angeles',
    });
  });

  it('when a time zone is spelled in another case, then it is stored as Intl spells it', async () => {
    const { app } = setup();
    expect((await createRoom(app, { ...newRoom, timeZone: 'asia/tokyo' })).timeZone).toBe('Asia/Tokyo');
  });

  it.each([
    ['an unknown policy', { cancellationPolicy: 'lenient' }, 'cancellationPolicy'],
    ['a policy in another case', { cancellationPolicy: 'Flexible' }, 'cancellationPolicy'],
    ['an unknown zone', { timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
    ['an offset instead of a zone name', { timeZone: '+09:00' }, 'timeZone'],
    ['an empty zone', { timeZone: '' }, 'timeZone'],
    ['a zone that is not a string', { timeZone: 9 }, 'timeZone'],
  ])(
    'when a room names %s, then 400 VALIDATION_FAILED on that field, on POST and PATCH, and nothing changes',
    async (_what, bad, field) => {
      const { app, state } = setup();
      const created = await request(app)
        .post('/rooms')
        .set(HOST)
        .send({ ...newRoom, ...bad });
      expect([created.status, created.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(created.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      const room = await createRoom(app);
      const patched = await request(app).patch(`/rooms/${room.id}`).set(HOST).send(bad);
      expect([patched.status, patched.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect((await request(app).get(`/rooms/${room.id}`)).body).toEqual(room);
      expect(state.eventsOf('RoomModified')).toEqual([]);
    },
  );

  it('when the zone is unknown, then the reason says what is expected', async () => {
    const { app } = setup();
    const res = await request(app)
      .post('/rooms')
      .set(HOST)
      .send({ ...newRoom, timeZone: 'Asia/Atlantis' });
    expect(res.body.error.details).toEqual([{ field: 'timeZone', reason: 'is not an IANA time zone name (e.g. Asia/Seoul)' }]);
  });

  it('when someone else than the host patches the terms, then 403 and nothing changes', async () => {
    const { app, state } = setup();
    const room = await createRoom(app);
    const res = await request(app).patch(`/rooms/${room.id}`).set(as('host-2')).send({ cancellationPolicy: 'strict' });
    expect([res.status, res.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await request(app).get(`/rooms/${room.id}`)).body.cancellationPolicy).toBe('flexible');
    expect(state.eventsOf('RoomModified')).toEqual([]);
  });

  it('when a room stored before issue 18 is read, changed or held, then it has the defaults (flexible, Asia/Seoul)', async () => {
    const { app, state } = setup();
    const room = await createRoom(app);
    const key = roomKeys.room(room.id);
    const stored = (await state.getState<{ room: Record<string, unknown> }>(key))!;
    const { cancellationPolicy: _p, timeZone: _t, ...old } = stored.value.room;
    await state.saveState({ key, value: { ...stored.value, room: old }, etag: stored.etag });
    expect((await request(app).get(`/rooms/${room.id}`)).body).toEqual(room);
    expect((await hold(app, room.id, 'res-1')).body).toMatchObject({ cancellationPolicy: 'flexible', timeZone: 'Asia/Seoul' });
    const patched = await request(app).patch(`/rooms/${room.id}`).set(HOST).send({ capacity: 2 });
    expect(patched.body).toMatchObject({ capacity: 2, cancellationPolicy: 'flexible', timeZone: 'Asia/Seoul' });
    expect(state.eventsOf('RoomModified')).toEqual([expect.objectContaining({ cancellationPolicy: 'flexible', timeZone: 'Asia/Seoul' })]);
  });
});

describe('internal holds', () => {
  it('when a hold is made, then the Hold carries the room at hold time; repeating it answers 200 with the same Hold', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    const first = await hold(app, room.id, 'res-1');
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      roomId: room.id,
      reservationId: 'res-1',
      guestId: 'guest-1',
      checkIn: '2030-02-01',
      checkOut: '2030-02-03',
      nights: 2,
      status: 'held',
      expiresAt: '2030-01-01T00:10:00.000Z',
      pricePerNight: 90000,
      currency: 'KRW',
      roomName: 'Sea view',
      city: 'Busan',
      hostId: 'host-1',
      cancellationPolicy: 'flexible',
      timeZone: 'Asia/Seoul',
    });
    const again = await hold(app, room.id, 'res-1');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await hold(app, room.id, 'res-1', nights('2030-02-01', '2030-02-05'))).status).toBe(409);
  });

  it('when a hold body is invalid, then 400', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    expect(
      outcome(
        await request(app)
          .post(`/internal/rooms/${room.id}/holds`)
          .send({ reservationId: 'r', checkIn: '2030-02-01', checkOut: '2030-02-02' }),
      ).status,
    ).toBe(400);
    expect((await hold(app, room.id, 'r', nights('2030-02-02', '2030-02-01'))).body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('events consumed', () => {
  const reservation = (roomId: string, id: string, range = nights('2030-02-01', '2030-02-03')) => ({
    id,
    guestId: 'guest-1',
    roomId,
    carId: null,
    ...range,
    nights: 2,
    amount: 1,
    currency: 'KRW',
    status: 'confirmed',
    version: 1,
  });

  it('when ReservationConfirmed arrives (twice), then the hold is booked once: delete is refused', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    await hold(app, room.id, 'res-1');
    expect((await deliver(app, 'ReservationConfirmed', reservation(room.id, 'res-1'))).body).toEqual({ status: 'SUCCESS' });
    expect((await deliver(app, 'ReservationConfirmed', reservation(room.id, 'res-1'))).body).toEqual({ status: 'SUCCESS' });
    expect((await request(app).delete(`/rooms/${room.id}`).set(HOST)).status).toBe(409);
  });

  it('when the hold expired but the nights are free, then the confirmation books them', async () => {
    const { app, advance } = setup({ holdTtlSeconds: 60 });
    const room = await createRoom(app);
    await hold(app, room.id, 'res-1');
    advance(120);
    await deliver(app, 'ReservationConfirmed', reservation(room.id, 'res-1'));
    expect((await hold(app, room.id, 'res-2')).status).toBe(409);
  });

  it('when the nights were taken since the hold expired, then the confirmation changes nothing (logged), no retry', async () => {
    const { app, advance } = setup({ holdTtlSeconds: 60 });
    const room = await createRoom(app);
    await hold(app, room.id, 'res-1');
    advance(120);
    expect((await hold(app, room.id, 'res-2')).status).toBe(201);
    expect((await deliver(app, 'ReservationConfirmed', reservation(room.id, 'res-1'))).status).toBe(200);
    expect((await request(app).post(`/internal/rooms/${room.id}/holds/res-2/confirm`)).status).toBe(200);
  });

  it('when ReservationCancelled arrives, then the nights are free; arriving before the confirm, the confirm books nothing', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    await hold(app, room.id, 'res-1');
    await deliver(app, 'ReservationConfirmed', reservation(room.id, 'res-1'));
    await deliver(app, 'ReservationCancelled', { ...reservation(room.id, 'res-1'), status: 'cancelled', version: 2 });
    expect((await request(app).get(`/rooms/${room.id}/availability?checkIn=2030-02-01&checkOut=2030-02-03`)).body.available).toBe(true);

    await deliver(app, 'ReservationCancelled', { ...reservation(room.id, 'res-early'), status: 'cancelled', version: 2 });
    await deliver(app, 'ReservationConfirmed', reservation(room.id, 'res-early'));
    expect((await request(app).get(`/rooms/${room.id}/availability?checkIn=2030-02-01&checkOut=2030-02-03`)).body.available).toBe(true);
    expect((await hold(app, room.id, 'res-early')).status).toBe(409);
  });

  it('when an event has no usable stay, then it is dropped (dead-letter), not retried', async () => {
    const { app } = setup();
    expect((await deliver(app, 'ReservationConfirmed', { id: 'r', roomId: 'x' })).body).toEqual({ status: 'DROP' });
  });
});

describe('reviews', () => {
  const GUEST = as('guest-1');
  /** A reservation of the room that the calendar holds as booked for `guestId` (hold, then ReservationConfirmed). */
  async function booked(
    app: ReturnType<typeof setup>['app'],
    roomId: string,
    reservationId: string,
    guestId = 'guest-1',
    range = nights('2030-02-01', '2030-02-03'),
  ) {
    expect((await hold(app, roomId, reservationId, range, guestId)).status).toBe(201);
    const event = { id: reservationId, guestId, roomId, carId: null, ...range, status: 'confirmed', version: 1 };
    expect((await deliver(app, 'ReservationConfirmed', event)).body).toEqual({ status: 'SUCCESS' });
  }
  const review = (app: ReturnType<typeof setup>['app'], roomId: string, body: object, who: Record<string, string> = GUEST) =>
    request(app).post(`/rooms/${roomId}/reviews`).set(who).send(body);

  it('when the guest of a confirmed reservation reviews, then 201 Review (guest = caller) and ReviewCreated with the totals; the list shows it', async () => {
    const { app, state } = setup();
    const room = await createRoom(app);
    await booked(app, room.id, 'res-1');
    await booked(app, room.id, 'res-2', 'guest-2', nights('2030-03-01', '2030-03-02'));
    const res = await review(app, room.id, { reservationId: 'res-1', rating: 4, comment: 'Nice.\nWould stay again.' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^rev_/),
      roomId: room.id,
      guestId: 'guest-1',
      reservationId: 'res-1',
      rating: 4,
      comment: 'Nice.\nWould stay again.',
      createdAt: expect.any(String),
    });
    expect((await review(app, room.id, { reservationId: 'res-2', rating: 5 }, as('guest-2'))).body).toMatchObject({
      guestId: 'guest-2',
      comment: '',
    });
    expect(state.eventsOf('ReviewCreated').map((e) => [e.version, e.reviewCount, e.averageRating, e.reservationId])).toEqual([
      [1, 1, 4, 'res-1'],
      [2, 2, 4.5, 'res-2'],
    ]);
    const list = await request(app).get(`/rooms/${room.id}/reviews`);
    expect(list.body.items.map((r: { guestId: string }) => r.guestId)).toEqual(['guest-2', 'guest-1']);
    expect(list.body.nextCursor).toBeNull();
  });

  it('when nobody is signed in, then 401 UNAUTHENTICATED and no review', async () => {
    const { app, state } = setup();
    const room = await createRoom(app);
    await booked(app, room.id, 'res-1');
    const res = await request(app).post(`/rooms/${room.id}/reviews`).send({ reservationId: 'res-1', rating: 5 });
    expect([res.status, res.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(state.eventsOf('ReviewCreated')).toEqual([]);
  });

  it('when the reservation is unknown, only held, cancelled, of another room or another guest, then 403 REVIEW_NOT_ALLOWED', async () => {
    const { app, state } = setup();
    const room = await createRoom(app);
    const other = await createRoom(app);
    await booked(app, room.id, 'res-mine');
    await booked(app, other.id, 'res-elsewhere');
    await booked(app, room.id, 'res-theirs', 'guest-2', nights('2030-03-01', '2030-03-02'));
    await hold(app, room.id, 'res-held', nights('2030-04-01', '2030-04-02'));
    await booked(app, room.id, 'res-gone', 'guest-1', nights('2030-05-01', '2030-05-02'));
    await deliver(app, 'ReservationCancelled', {
      id: 'res-gone',
      guestId: 'guest-1',
      roomId: room.id,
      carId: null,
      ...nights('2030-05-01', '2030-05-02'),
      status: 'cancelled',
      version: 2,
    });
    for (const [reservationId, who] of [
      ['res-none', GUEST],
      ['res-held', GUEST],
      ['res-gone', GUEST],
      ['res-elsewhere', GUEST],
      ['res-theirs', GUEST],
      ['res-mine', as('guest-2')],
      ['res-mine', asOperator()],
    ] as const) {
      const res = await review(app, room.id, { reservationId, rating: 3 }, who);
      expect([reservationId, res.status, res.body.error?.code]).toEqual([reservationId, 403, 'REVIEW_NOT_ALLOWED']);
    }
    expect(state.eventsOf('ReviewCreated')).toEqual([]);
    expect((await review(app, room.id, { reservationId: 'res-mine', rating: 3 })).status).toBe(201);
  });

  it('when a reservation is reviewed twice, then 409 ALREADY_REVIEWED; five racing reviews of one reservation give exactly one 201', async () => {
    const { app, state } = setup();
    const room = await createRoom(app);
    await booked(app, room.id, 'res-1');
    await booked(app, room.id, 'res-2', 'guest-1', nights('2030-03-01', '2030-03-02'));
    expect((await review(app, room.id, { reservationId: 'res-1', rating: 5 })).status).toBe(201);
    const again = await review(app, room.id, { reservationId: 'res-1', rating: 1 });
    expect([again.status, again.body.error.code]).toEqual([409, 'ALREADY_REVIEWED']);

    const racing = await Promise.all([1, 2, 3, 4, 5].map((rating) => review(app, room.id, { reservationId: 'res-2', rating })));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(state.eventsOf('ReviewCreated')).toHaveLength(2);
    expect((await request(app).get(`/rooms/${room.id}/reviews`)).body.items).toHaveLength(2);
  });

  it('when a review is invalid (rating 0, 6, 4.5, long comment, a control character, guestId or another unknown field), then 400', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    await booked(app, room.id, 'r');
    for (const body of [
      { reservationId: 'r', rating: 0 },
      { reservationId: 'r', rating: 6 },
      { reservationId: 'r', rating: 4.5 },
      { reservationId: 'r', rating: 3, comment: 'c'.repeat(2001) },
      { reservationId: 'r', rating: 3, comment: 'bell\u0007' },
      { reservationId: 'r', rating: 3, guestId: 'guest-1' },
      { reservationId: 'r', rating: 3, roomId: 'x' },
      { rating: 3 },
    ]) {
      const res = await review(app, room.id, body);
      expect([JSON.stringify(body), res.body.error?.code]).toEqual([JSON.stringify(body), 'VALIDATION_FAILED']);
    }
    expect((await review(app, room.id, { reservationId: 'r', rating: 3, comment: 'tab\there,\r\nline break' })).status).toBe(201);
  });

  it('when the list is paged, then limit and cursor walk it; limit > 100 or a foreign cursor is 400', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    for (let i = 1; i <= 3; i++) {
      await booked(app, room.id, `res-${i}`, `g${i}`, nights(`2030-02-0${i}`, `2030-02-0${i + 1}`));
      expect((await review(app, room.id, { reservationId: `res-${i}`, rating: 3 }, as(`g${i}`))).status).toBe(201);
    }
    const first = await request(app).get(`/rooms/${room.id}/reviews?limit=2`);
    expect(first.body.items.map((r: { guestId: string }) => r.guestId)).toEqual(['g3', 'g2']);
    const second = await request(app).get(`/rooms/${room.id}/reviews?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ guestId: 'g1' })], nextCursor: null });
    expect((await request(app).get(`/rooms/${room.id}/reviews?limit=101`)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await request(app).get(`/rooms/${room.id}/reviews?limit=0`)).status).toBe(400);
    expect((await request(app).get(`/rooms/${room.id}/reviews?cursor=nope`)).body.error.details[0].field).toBe('cursor');
  });
});

const ROOMS: ListingUnderTest = {
  noun: 'room',
  path: '/rooms',
  notFoundCode: 'ROOM_NOT_FOUND',
  registeredEvent: 'RoomRegistered',
  unavailableCode: 'ROOM_UNAVAILABLE',
  hasReservationsCode: 'ROOM_HAS_RESERVATIONS',
  newListing: newRoom,
  patch: { name: 'Renamed' },
  otherPublicReads: (id) => [`/rooms/${id}/reviews`],
  setup,
};
describeListingOwnership(ROOMS);
describeListingHolds(ROOMS);

describe('conventions (API.md): text without control characters, path ids', () => {
  it.each([
    ['name', { name: 'Sea\u0000view' }],
    ['city', { city: 'Bu\u001bsan' }],
    ['name', { name: 'Two\nlines' }],
    ['description', { description: 'bell\u0007' }],
    ['description', { description: 'DEL\u007f' }],
  ])('when %s holds a control character, then 400 VALIDATION_FAILED naming it (POST and PATCH)', async (field, change) => {
    const { app, state } = setup();
    const room = await createRoom(app);
    for (const res of [
      await request(app)
        .post('/rooms')
        .set(HOST)
        .send({ ...newRoom, ...change }),
      await request(app).patch(`/rooms/${room.id}`).set(HOST).send(change),
    ]) {
      expect([res.status, res.body.error.code, res.body.error.details]).toEqual([
        400,
        'VALIDATION_FAILED',
        [{ field, reason: expect.stringContaining('control character') }],
      ]);
    }
    expect(state.published).toHaveLength(1);
  });

  it('when a description has tabs and line breaks, then it is kept as is', async () => {
    const { app } = setup();
    const room = await createRoom(app, { ...newRoom, description: 'Two rooms:\n\t- bedroom\r\n\t- kitchen' });
    expect(room.description).toBe('Two rooms:\n\t- bedroom\r\n\t- kitchen');
  });

  it('when a path id is not a client id (NUL, encoded slash, too long, bad encoding), then 404 ROOM_NOT_FOUND on every route, and no state is read', async () => {
    const { app, state } = setup();
    const read: string[] = [];
    const getState = state.getState.bind(state);
    state.getState = async <T>(key: string) => {
      read.push(key);
      return getState<T>(key);
    };
    for (const id of ['%00', 'room%00x', 'a%2Fb', 'x'.repeat(101), '%E0%A4%A']) {
      for (const res of [
        await request(app).get(`/rooms/${id}`),
        await request(app).patch(`/rooms/${id}`).set(HOST).send({ name: 'x' }),
        await request(app).delete(`/rooms/${id}`).set(HOST),
        await request(app).get(`/rooms/${id}/availability?checkIn=2030-02-01&checkOut=2030-02-02`),
        await request(app).get(`/rooms/${id}/reviews`),
        await request(app).post(`/rooms/${id}/reviews`).set(HOST).send({ reservationId: 'r', rating: 5 }),
      ]) {
        expect([id, res.status]).toEqual([id, 404]);
        expect(['ROOM_NOT_FOUND', 'NOT_FOUND']).toContain(res.body.error.code);
      }
      expect((await request(app).get(`/rooms/${id}`)).body.error.code).toBe(id === '%E0%A4%A' ? 'NOT_FOUND' : 'ROOM_NOT_FOUND');
    }
    expect(read).toEqual([]);
  });
});

describe('readiness', () => {
  it('when the state store does not answer, then /readyz is 503 naming it', async () => {
    const logger = pino({ level: 'silent' });
    const useCases = roomUseCases(
      { state: new MemoryState(), keys: roomKeys, logger, now: () => new Date(), newId: randomId },
      { holdTtlSeconds: 600, writeAttempts: 1 },
    );
    const app = createApp({ config, logger, ...useCases, sidecarHealthy: async () => true, storeHealthy: async () => false });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ sidecar: 'up', statestore: 'down' });
  });
});
