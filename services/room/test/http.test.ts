import { rejectionOf } from '@staycar/common';
import request from 'supertest';
import pino from 'pino';
import { MemoryState } from '../../common/test/support/memoryState';
import { createApp } from '../src/http/app';
import { RoomService } from '../src/service';

const config = { pubsub: 'pubsub', eventsTopic: 'events', deadLetterTopic: 'events-dead' };

function setup(options: { holdTtlSeconds?: number; writeAttempts?: number } = {}) {
  const state = new MemoryState();
  let now = new Date('2030-01-01T00:00:00Z');
  const clock = {
    advance: (seconds: number) => void (now = new Date(now.getTime() + seconds * 1000)),
  };
  const logger = pino({ level: 'silent' });
  const rooms = new RoomService({ state, logger, holdTtlSeconds: options.holdTtlSeconds ?? 600, writeAttempts: options.writeAttempts ?? 12, clock: () => now });
  const app = createApp({ config, logger, rooms, sidecarHealthy: async () => true });
  return { app, state, clock };
}

const newRoom = { hostId: 'host-1', name: 'Sea view', city: 'Busan', pricePerNight: 90000 };
const nights = (checkIn: string, checkOut: string) => ({ checkIn, checkOut });

async function createRoom(app: ReturnType<typeof setup>['app'], body: object = newRoom) {
  const res = await request(app).post('/rooms').send(body);
  expect(res.status).toBe(201);
  return res.body as { id: string } & Record<string, unknown>;
}

/**
 * The saga's internal routes answer refusals as 200 {rejected: {status, error}} (docs/contracts.md);
 * this reads such an answer back as the status and error body it stands for.
 */
const outcome = <R extends { status: number; body: unknown }>(res: R): R => {
  const rejected = res.status === 200 ? rejectionOf(res.body) : undefined;
  return rejected ? ({ ...res, status: rejected.status, body: { error: rejected.error } } as R) : res;
};

const hold = (app: ReturnType<typeof setup>['app'], roomId: string, reservationId: string, range = nights('2030-02-01', '2030-02-03')) =>
  request(app).post(`/internal/rooms/${roomId}/holds`).send({ reservationId, guestId: 'guest-1', ...range }).then(outcome);

const deliver = (app: ReturnType<typeof setup>['app'], type: string, data: object) =>
  request(app).post(`/events/${type}`).set('content-type', 'application/cloudevents+json').send(JSON.stringify({ id: `e-${Math.random()}`, type, data }));

describe('rooms over HTTP', () => {
  it('when a room is registered, then 201 with defaults, an opaque id and RoomRegistered version 1', async () => {
    const { app, state } = setup();
    const room = await createRoom(app);
    expect(room).toEqual({
      id: expect.stringMatching(/^room_[0-9a-f]+$/), ...newRoom, currency: 'KRW', description: '', capacity: 1,
      createdAt: '2030-01-01T00:00:00.000Z', updatedAt: '2030-01-01T00:00:00.000Z',
    });
    expect(state.eventsOf('RoomRegistered')).toEqual([expect.objectContaining({ roomId: room.id, version: 1, name: 'Sea view', capacity: 1 })]);
    expect((await request(app).get(`/rooms/${room.id}`)).body).toEqual(room);
  });

  it('when fields are missing, blank, too long, out of range or unknown, then 400 VALIDATION_FAILED per field and nothing stored', async () => {
    const { app, state } = setup();
    const res = await request(app).post('/rooms').send({ hostId: 'bad host!', name: '   ', city: 'x'.repeat(201), pricePerNight: 1.5, capacity: 51, extra: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['capacity', 'city', 'extra', 'hostId', 'name', 'pricePerNight']);
    expect(state.published).toEqual([]);
    const money = await request(app).post('/rooms').send({ ...newRoom, pricePerNight: 100_000_001 });
    expect(money.body.error.details).toEqual([{ field: 'pricePerNight', reason: expect.any(String) }]);
    expect((await request(app).post('/rooms').send({ ...newRoom, description: 'd'.repeat(5001) })).status).toBe(400);
  });

  it('when values sit exactly on the limits, then they are accepted (price 0 and 100000000, capacity 50, 200-char name, 5000-char description)', async () => {
    const { app } = setup();
    for (const body of [
      { ...newRoom, pricePerNight: 0, capacity: 50 },
      { ...newRoom, pricePerNight: 100_000_000, name: 'n'.repeat(200), city: 'c'.repeat(200), description: 'd'.repeat(5000), currency: 'USD' },
    ]) {
      const res = await request(app).post('/rooms').send(body);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject(body);
    }
    expect((await request(app).post('/rooms').send({ ...newRoom, capacity: 0 })).status).toBe(400);
    expect((await request(app).post('/rooms').send({ ...newRoom, hostId: 'h'.repeat(101) })).status).toBe(400);
    expect((await request(app).post('/rooms').send({ ...newRoom, hostId: 'a-Z_0.9:x@y' })).status).toBe(201);
  });

  it('when the body is not JSON, then 400 MALFORMED_JSON', async () => {
    const { app } = setup();
    const res = await request(app).post('/rooms').set('content-type', 'application/json').send('{"hostId":');
    expect(res.body.error.code).toBe('MALFORMED_JSON');
  });

  it('when an unknown or deleted room is asked for, then 404 ROOM_NOT_FOUND', async () => {
    const { app } = setup();
    for (const id of ['room_nope', 'bad||id']) {
      const res = await request(app).get(`/rooms/${encodeURIComponent(id)}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('ROOM_NOT_FOUND');
    }
    expect((await request(app).patch('/rooms/room_nope').send({ name: 'x' })).body.error.code).toBe('ROOM_NOT_FOUND');
    expect((await request(app).delete('/rooms/room_nope')).body.error.code).toBe('ROOM_NOT_FOUND');
    expect((await request(app).get('/rooms/room_nope/availability?checkIn=2030-02-01&checkOut=2030-02-02')).body.error.code).toBe('ROOM_NOT_FOUND');
    expect((await request(app).post('/rooms/room_nope/reviews').send({ guestId: 'g', rating: 5 })).body.error.code).toBe('ROOM_NOT_FOUND');
    expect((await request(app).get('/rooms/room_nope/reviews')).body.error.code).toBe('ROOM_NOT_FOUND');
    expect((await hold(app, 'room_nope', 'res-1')).body.error.code).toBe('ROOM_NOT_FOUND');
  });

  it('when patched, then only those fields change and RoomModified carries the full room with version 2', async () => {
    const { app, state, clock } = setup();
    const room = await createRoom(app);
    clock.advance(60);
    const res = await request(app).patch(`/rooms/${room.id}`).send({ capacity: 3, description: 'Quiet' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...room, capacity: 3, description: 'Quiet', updatedAt: '2030-01-01T00:01:00.000Z' });
    expect(state.eventsOf('RoomModified')).toEqual([expect.objectContaining({ roomId: room.id, capacity: 3, description: 'Quiet', city: 'Busan', version: 2 })]);
  });

  it('when a PATCH names id, hostId, createdAt, currency or an unknown field, or nothing, then 400 per field', async () => {
    const { app, state } = setup();
    const room = await createRoom(app);
    const res = await request(app).patch(`/rooms/${room.id}`).send({ id: 'x', hostId: 'h', createdAt: 'now', currency: 'USD', color: 'red', name: 'ok' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['color', 'createdAt', 'currency', 'hostId', 'id']);
    expect((await request(app).patch(`/rooms/${room.id}`).send({})).status).toBe(400);
    expect((await request(app).patch(`/rooms/${room.id}`).send({ name: ' ' })).status).toBe(400);
    expect(state.eventsOf('RoomModified')).toEqual([]);
  });

  it('when six PATCHes of different fields race, then every field survives and versions 2..7 were published', async () => {
    const { app, state } = setup();
    const room = await createRoom(app);
    const patches = [{ name: 'N' }, { city: 'Seoul' }, { pricePerNight: 1 }, { description: 'D' }, { capacity: 7 }, { name: 'N' }];
    const answers = await Promise.all(patches.map((p) => request(app).patch(`/rooms/${room.id}`).send(p)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect((await request(app).get(`/rooms/${room.id}`)).body).toMatchObject({ name: 'N', city: 'Seoul', pricePerNight: 1, description: 'D', capacity: 7 });
    expect(state.eventsOf('RoomModified').map((e) => e.version).sort()).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('when a write keeps losing ETag races, then 503 TRY_LATER with Retry-After and nothing changed', async () => {
    const { app, state } = setup({ writeAttempts: 3 });
    const room = await createRoom(app);
    state.conflictsToInject = 3;
    const res = await request(app).patch(`/rooms/${room.id}`).send({ name: 'Never' });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('TRY_LATER');
    expect(res.headers['retry-after']).toBeDefined();
    expect((await request(app).get(`/rooms/${room.id}`)).body.name).toBe('Sea view');
  });

  it('when deleted, then 204, RoomDeleted with the next version, and 404 afterwards (also a second delete)', async () => {
    const { app, state } = setup();
    const room = await createRoom(app);
    await request(app).patch(`/rooms/${room.id}`).send({ name: 'x' });
    expect((await request(app).delete(`/rooms/${room.id}`)).status).toBe(204);
    expect(state.eventsOf('RoomDeleted')).toEqual([{ roomId: room.id, hostId: 'host-1', city: 'Busan', version: 3, occurredAt: expect.any(String) }]);
    expect((await request(app).get(`/rooms/${room.id}`)).body.error.code).toBe('ROOM_NOT_FOUND');
    expect((await request(app).delete(`/rooms/${room.id}`)).status).toBe(404);
    expect((await hold(app, room.id, 'res-late')).status).toBe(404);
  });

  it('when the room has an upcoming confirmed booking, or a live hold, then DELETE is 409 ROOM_HAS_RESERVATIONS; a released hold does not stop it', async () => {
    const { app } = setup();
    const booked = await createRoom(app);
    await hold(app, booked.id, 'res-1');
    expect((await request(app).post(`/internal/rooms/${booked.id}/holds/res-1/confirm`)).status).toBe(200);
    const res = await request(app).delete(`/rooms/${booked.id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('ROOM_HAS_RESERVATIONS');
    expect((await request(app).get(`/rooms/${booked.id}`)).status).toBe(200);

    // A hold may belong to a reservation already answered 201 (its ReservationConfirmed not yet here).
    const heldOnly = await createRoom(app);
    await hold(app, heldOnly.id, 'res-2');
    const whileHeld = await request(app).delete(`/rooms/${heldOnly.id}`);
    expect([whileHeld.status, whileHeld.body.error.code]).toEqual([409, 'ROOM_HAS_RESERVATIONS']);
    expect((await request(app).delete(`/internal/rooms/${heldOnly.id}/holds/res-2`)).status).toBe(204);
    expect((await request(app).delete(`/rooms/${heldOnly.id}`)).status).toBe(204);
  });
});

describe('availability', () => {
  it('when nights are held, then unavailable for overlapping stays and available back-to-back', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    const ask = (checkIn: string, checkOut: string) => request(app).get(`/rooms/${room.id}/availability?checkIn=${checkIn}&checkOut=${checkOut}`);
    expect((await ask('2030-02-01', '2030-02-03')).body).toEqual({ roomId: room.id, checkIn: '2030-02-01', checkOut: '2030-02-03', available: true });
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
});

describe('internal holds', () => {
  it('when holds of the same nights race, then exactly one 201 and the rest 409 ROOM_UNAVAILABLE', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    const answers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((r) => hold(app, room.id, `res-${r}`)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const lost = answers.filter((a) => a.status !== 201);
    expect(lost.map((a) => [a.status, a.body.error.code])).toEqual(Array(4).fill([409, 'ROOM_UNAVAILABLE']));
  });

  it('when a hold is made, then the Hold carries the room at hold time; repeating it answers 200 with the same Hold', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    const first = await hold(app, room.id, 'res-1');
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      roomId: room.id, reservationId: 'res-1', guestId: 'guest-1', checkIn: '2030-02-01', checkOut: '2030-02-03', nights: 2,
      status: 'held', expiresAt: '2030-01-01T00:10:00.000Z', pricePerNight: 90000, currency: 'KRW', roomName: 'Sea view', city: 'Busan', hostId: 'host-1',
    });
    const again = await hold(app, room.id, 'res-1');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await hold(app, room.id, 'res-1', nights('2030-02-01', '2030-02-05'))).status).toBe(409);
  });

  it('when a hold body is invalid, then 400', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    expect(outcome(await request(app).post(`/internal/rooms/${room.id}/holds`).send({ reservationId: 'r', checkIn: '2030-02-01', checkOut: '2030-02-02' })).status).toBe(400);
    expect((await hold(app, room.id, 'r', nights('2030-02-02', '2030-02-01'))).body.error.code).toBe('VALIDATION_FAILED');
  });

  it('when a hold is not confirmed within HOLD_TTL_SECONDS, then it stops blocking', async () => {
    const { app, clock } = setup({ holdTtlSeconds: 60 });
    const room = await createRoom(app);
    await hold(app, room.id, 'res-1');
    expect((await hold(app, room.id, 'res-2')).status).toBe(409);
    clock.advance(61);
    expect((await hold(app, room.id, 'res-2')).status).toBe(201);
  });

  it('when a hold is released, then 204 and the nights are free; releasing again is 204 too', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    await hold(app, room.id, 'res-1');
    expect((await request(app).delete(`/internal/rooms/${room.id}/holds/res-1`)).status).toBe(204);
    expect((await request(app).delete(`/internal/rooms/${room.id}/holds/res-1`)).status).toBe(204);
    expect((await hold(app, room.id, 'res-2')).status).toBe(201);
  });

  it('when a hold is confirmed, then 200 booked (idempotent); without a hold, 404', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    await hold(app, room.id, 'res-1');
    const confirm = () => request(app).post(`/internal/rooms/${room.id}/holds/res-1/confirm`);
    const first = await confirm();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'booked', expiresAt: null, nights: 2 });
    expect((await confirm()).body).toEqual(first.body);
    expect((await request(app).post(`/internal/rooms/${room.id}/holds/res-none/confirm`)).status).toBe(404);
  });
});

describe('events consumed', () => {
  const reservation = (roomId: string, id: string, range = nights('2030-02-01', '2030-02-03')) => ({
    id, guestId: 'guest-1', roomId, carId: null, ...range, nights: 2, amount: 1, currency: 'KRW', status: 'confirmed', version: 1,
  });

  it('when ReservationConfirmed arrives (twice), then the hold is booked once: delete is refused', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    await hold(app, room.id, 'res-1');
    expect((await deliver(app, 'ReservationConfirmed', reservation(room.id, 'res-1'))).body).toEqual({ status: 'SUCCESS' });
    expect((await deliver(app, 'ReservationConfirmed', reservation(room.id, 'res-1'))).body).toEqual({ status: 'SUCCESS' });
    expect((await request(app).delete(`/rooms/${room.id}`)).status).toBe(409);
  });

  it('when the hold expired but the nights are free, then the confirmation books them', async () => {
    const { app, clock } = setup({ holdTtlSeconds: 60 });
    const room = await createRoom(app);
    await hold(app, room.id, 'res-1');
    clock.advance(120);
    await deliver(app, 'ReservationConfirmed', reservation(room.id, 'res-1'));
    expect((await hold(app, room.id, 'res-2')).status).toBe(409);
  });

  it('when the nights were taken since the hold expired, then the confirmation changes nothing (logged), no retry', async () => {
    const { app, clock } = setup({ holdTtlSeconds: 60 });
    const room = await createRoom(app);
    await hold(app, room.id, 'res-1');
    clock.advance(120);
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
  it('when a review is posted, then 201 Review and ReviewCreated with the totals; the list shows it', async () => {
    const { app, state } = setup();
    const room = await createRoom(app);
    const res = await request(app).post(`/rooms/${room.id}/reviews`).send({ guestId: 'guest-1', rating: 4, comment: 'Nice' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.stringMatching(/^rev_/), roomId: room.id, guestId: 'guest-1', rating: 4, comment: 'Nice', createdAt: expect.any(String) });
    await request(app).post(`/rooms/${room.id}/reviews`).send({ guestId: 'guest-2', rating: 5 });
    expect(state.eventsOf('ReviewCreated').map((e) => [e.version, e.reviewCount, e.averageRating])).toEqual([[1, 1, 4], [2, 2, 4.5]]);
    const list = await request(app).get(`/rooms/${room.id}/reviews`);
    expect(list.body.items.map((r: { guestId: string }) => r.guestId)).toEqual(['guest-2', 'guest-1']);
    expect(list.body.nextCursor).toBeNull();
  });

  it('when a review is invalid (rating 0, 6, 4.5, long comment, unknown field), then 400', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    for (const body of [{ guestId: 'g', rating: 0 }, { guestId: 'g', rating: 6 }, { guestId: 'g', rating: 4.5 }, { guestId: 'g', rating: 3, comment: 'c'.repeat(2001) }, { guestId: 'g', rating: 3, roomId: 'x' }]) {
      expect((await request(app).post(`/rooms/${room.id}/reviews`).send(body)).body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('when the list is paged, then limit and cursor walk it; limit > 100 or a foreign cursor is 400', async () => {
    const { app } = setup();
    const room = await createRoom(app);
    for (let i = 1; i <= 3; i++) await request(app).post(`/rooms/${room.id}/reviews`).send({ guestId: `g${i}`, rating: 3 });
    const first = await request(app).get(`/rooms/${room.id}/reviews?limit=2`);
    expect(first.body.items.map((r: { guestId: string }) => r.guestId)).toEqual(['g3', 'g2']);
    const second = await request(app).get(`/rooms/${room.id}/reviews?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ guestId: 'g1' })], nextCursor: null });
    expect((await request(app).get(`/rooms/${room.id}/reviews?limit=101`)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await request(app).get(`/rooms/${room.id}/reviews?limit=0`)).status).toBe(400);
    expect((await request(app).get(`/rooms/${room.id}/reviews?cursor=nope`)).body.error.details[0].field).toBe('cursor');
  });
});

describe('readiness', () => {
  it('when the state store does not answer, then /readyz is 503 naming it', async () => {
    const logger = pino({ level: 'silent' });
    const rooms = new RoomService({ state: new MemoryState(), logger, holdTtlSeconds: 600, writeAttempts: 1 });
    const app = createApp({ config, logger, rooms, sidecarHealthy: async () => true, storeHealthy: async () => false });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ sidecar: 'up', statestore: 'down' });
  });
});
