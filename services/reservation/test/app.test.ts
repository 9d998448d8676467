import request from 'supertest';
import { addDays, todayUtc } from '@staycar/common';
import { as, asOperator } from '../../common/test/support/identity';
import { startRecovery } from '../src/app/recover';
import { keys, sagaSlotOf as slotOf } from '../src/adapters/store';
import { world } from './fakes';

/** Stays lie within the booking horizon (today..+500 days): days counted from today (UTC). */
const day = (n: number) => addDays(todayUtc(new Date()), n);
const CHECK_IN = day(30);
const CHECK_OUT = day(33);
const GUEST = as('guest-1');

const body = (extra: Record<string, unknown> = {}) => ({
  guestId: 'guest-1',
  roomId: 'room-1',
  checkIn: CHECK_IN,
  checkOut: CHECK_OUT,
  ...extra,
});
const names = (calls: unknown[][]) => calls.map((c) => c[0]);

describe('POST /reservations: the saga', () => {
  it('when the room is free, then 201 confirmed after room hold → payment, amount from the hold, event published', async () => {
    const w = world();
    const res = await request(w.app)
      .post('/reservations')
      .set(GUEST)
      .send(body({ payment: { method: 'card', token: 'tok_ok' } }));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: 'res-1',
      guestId: 'guest-1',
      roomId: 'room-1',
      carId: null,
      checkIn: CHECK_IN,
      checkOut: CHECK_OUT,
      nights: 3,
      amount: 300_000,
      currency: 'KRW',
      cancellationPolicy: 'flexible',
      timeZone: 'Asia/Seoul',
      status: 'confirmed',
      paymentId: 'pay-res-1',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(res.headers.location).toBe('/reservations/res-1');
    expect(names(w.calls)).toEqual(['room.hold', 'payment.approve']);
    expect(w.calls[1]).toEqual(['payment.approve', 'res-1', 300_000, 'KRW']);
    expect(w.state.published).toEqual([
      {
        type: 'ReservationConfirmed',
        data: expect.objectContaining({ reservationId: 'res-1', roomName: 'Hanok', city: 'Seoul', version: 1 }),
      },
    ]);
    expect(await w.guests.ids('guest-1')).toEqual(['res-1']);
    expect((await w.inFlight()).length).toBe(0);
    // One in-flight record, written once before the hold (never updated).
    expect(w.sagaHistory).toEqual([expect.objectContaining({ reservationId: 'res-1', holds: { roomId: 'room-1', carId: null } })]);
  });

  it('when a car comes along, then room → car → payment and amount adds nights × pricePerDay', async () => {
    const w = world();
    const res = await request(w.app)
      .post('/reservations')
      .set(GUEST)
      .send(body({ carId: 'car-1' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ carId: 'car-1', amount: 3 * 100_000 + 3 * 30_000 });
    expect(names(w.calls)).toEqual(['room.hold', 'car.hold', 'payment.approve']);
  });

  it('when SAGA_PAUSE_AFTER_HOLD_MS is set, then the saga sleeps after the holds and before the payment', async () => {
    const w = world({ sagaPauseAfterHoldMs: 1234 });
    expect((await request(w.app).post('/reservations').set(GUEST).send(body())).status).toBe(201);
    expect(w.slept).toContain(1234);
  });

  it('when SAGA_PAUSE_AFTER_PAYMENT_MS is set, then the saga sleeps after the payment', async () => {
    const w = world({ sagaPauseAfterPaymentMs: 4321 });
    expect((await request(w.app).post('/reservations').set(GUEST).send(body())).status).toBe(201);
    expect(w.slept).toEqual([4321]);
  });

  it.each([
    ['an unknown field', body({ extra: 1 })],
    ['a client-set amount', body({ amount: 1 })],
    ['a client-set status', body({ status: 'confirmed' })],
    ['a payment field beyond method and token', body({ payment: { method: 'card', token: 't', amount: 1 } })],
    ['a method other than card', body({ payment: { method: 'cash', token: 't' } })],
    ['checkOut not after checkIn', body({ checkOut: CHECK_IN })],
    ['more than 90 nights', body({ checkOut: addDays(CHECK_IN, 91) })],
    ['a bad date', body({ checkIn: '2030-13-01' })],
    ['a missing roomId', { guestId: 'guest-1', checkIn: CHECK_IN, checkOut: CHECK_OUT }],
    ['a checkIn before today', body({ checkIn: day(-1), checkOut: day(1) })],
    ['a checkIn more than 500 days ahead', body({ checkIn: day(501), checkOut: day(502) })],
    ['a bad id', body({ guestId: 'a b' })],
  ])('when the body has %s, then 400 VALIDATION_FAILED and nothing is called', async (_what, payload) => {
    const w = world();
    const res = await request(w.app).post('/reservations').set(GUEST).send(payload);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.length).toBeGreaterThan(0);
    expect(w.calls).toEqual([]);
  });

  it('when the body is not JSON, then 400 MALFORMED_JSON', async () => {
    const w = world();
    const res = await request(w.app).post('/reservations').set(GUEST).set('content-type', 'application/json').send('{nope');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MALFORMED_JSON');
  });
});

describe('POST /reservations: failures leave nothing behind', () => {
  const expectNothingStands = async (w: ReturnType<typeof world>) => {
    expect(w.keysOf('reservation:')).toEqual([]);
    expect((await w.inFlight()).length).toBe(0);
    expect(w.payments.approved.size).toBe(0);
  };

  it('when the room does not exist, then 404 ROOM_NOT_FOUND, no payment, nothing to release', async () => {
    const w = world();
    const res = await request(w.app)
      .post('/reservations')
      .set(GUEST)
      .send(body({ roomId: 'nope' }));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ROOM_NOT_FOUND');
    expect(names(w.calls)).toEqual(['room.hold']);
    await expectNothingStands(w);
  });

  it('when the room is taken, then 409 ROOM_UNAVAILABLE, no car hold, no payment', async () => {
    const w = world();
    w.rooms.taken.add('room-1');
    const res = await request(w.app)
      .post('/reservations')
      .set(GUEST)
      .send(body({ carId: 'car-1' }));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('ROOM_UNAVAILABLE');
    expect(names(w.calls)).toEqual(['room.hold']);
    await expectNothingStands(w);
  });

  it('when the car does not exist, then 404 CAR_NOT_FOUND and the room hold is released', async () => {
    const w = world();
    const res = await request(w.app)
      .post('/reservations')
      .set(GUEST)
      .send(body({ carId: 'nope' }));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('CAR_NOT_FOUND');
    expect(w.calls).toEqual([
      ['room.hold', 'room-1', 'res-1'],
      ['car.hold', 'nope', 'res-1'],
      ['room.release', 'room-1', 'res-1'],
    ]);
    await expectNothingStands(w);
  });

  it('when the car is taken, then 409 CAR_UNAVAILABLE and the room hold is released', async () => {
    const w = world();
    w.cars.taken.add('car-1');
    const res = await request(w.app)
      .post('/reservations')
      .set(GUEST)
      .send(body({ carId: 'car-1' }));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CAR_UNAVAILABLE');
    expect(names(w.calls)).toEqual(['room.hold', 'car.hold', 'room.release']);
    await expectNothingStands(w);
  });

  it('when the payment is declined, then 402 PAYMENT_DECLINED, room and car released, no refund needed', async () => {
    const w = world();
    const res = await request(w.app)
      .post('/reservations')
      .set(GUEST)
      .send(body({ carId: 'car-1', payment: { method: 'card', token: 'tok_declined' } }));
    expect(res.status).toBe(402);
    expect(res.body.error.code).toBe('PAYMENT_DECLINED');
    expect(names(w.calls).sort()).toEqual(['car.hold', 'car.release', 'payment.approve', 'room.hold', 'room.release']);
    expect(names(w.calls).slice(0, 3)).toEqual(['room.hold', 'car.hold', 'payment.approve']);
    await expectNothingStands(w);
  });

  it('when the room service does not answer, then 503 TRY_LATER with Retry-After and the (maybe made) hold is released', async () => {
    const w = world();
    w.rooms.down = true;
    const res = await request(w.app).post('/reservations').set(GUEST).send(body());
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('TRY_LATER');
    expect(res.headers['retry-after']).toBe('2');
    expect(names(w.calls)).toEqual(['room.hold', 'room.release']);
    await expectNothingStands(w);
  });

  it('when the car service does not answer, then 503 and both holds are released', async () => {
    const w = world();
    w.cars.down = true;
    const res = await request(w.app)
      .post('/reservations')
      .set(GUEST)
      .send(body({ carId: 'car-1' }));
    expect(res.status).toBe(503);
    expect(names(w.calls).slice(2).sort()).toEqual(['car.release', 'room.release']);
    await expectNothingStands(w);
  });

  it('when the payment service does not answer, then 503, holds released and the (maybe made) payment refunded', async () => {
    const w = world();
    w.payments.down = true;
    const res = await request(w.app)
      .post('/reservations')
      .set(GUEST)
      .send(body({ carId: 'car-1' }));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(names(w.calls).slice(3).sort()).toEqual(['car.release', 'payment.refund', 'room.release']);
    await expectNothingStands(w);
  });

  it('when storing the confirmed reservation fails, then 503, payment refunded and holds released', async () => {
    const w = world();
    const { DependencyUnavailableError } = await import('@staycar/common');
    w.reservations.insert = async () => {
      throw new DependencyUnavailableError('state transaction: store unavailable');
    };
    const res = await request(w.app).post('/reservations').set(GUEST).send(body());
    expect(res.status).toBe(503);
    expect(names(w.calls).slice(2).sort()).toEqual(['payment.refund', 'room.release']);
    expect((await w.inFlight()).length).toBe(0);
  });

  it('when a compensation fails, then the in-flight record stays for start-up recovery', async () => {
    const w = world();
    w.cars.taken.add('car-1');
    w.rooms.release = async () => {
      throw new Error('room down');
    };
    const res = await request(w.app)
      .post('/reservations')
      .set(GUEST)
      .send(body({ carId: 'car-1' }));
    expect(res.status).toBe(409);
    expect(await w.inFlight()).toEqual(['res-1']);
  });
});

describe('Idempotency-Key', () => {
  it('when the reservation was cancelled since, then the same key still answers the first answer (201, confirmed), nothing charged again', async () => {
    const w = world();
    const first = await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'k-cancel').send(body());
    expect(first.status).toBe(201);
    expect((await request(w.app).post(`/reservations/${first.body.id}/cancel`).set(GUEST).send({})).body.status).toBe('cancelled');
    const again = await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'k-cancel').send(body());
    expect([again.status, again.headers.location]).toEqual([201, `/reservations/${first.body.id}`]);
    expect(again.body).toEqual(first.body);
    expect(names(w.calls).filter((n) => n === 'payment.approve')).toHaveLength(1);
  });

  it('when the same key and body come again, then the first answer again with one charge', async () => {
    const w = world();
    const first = await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'k1').send(body());
    const second = await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'k1').send(body());
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(names(w.calls).filter((n) => n === 'payment.approve')).toHaveLength(1);
  });

  it('when 8 requests with the same key race, then one reservation id and one charge', async () => {
    const w = world();
    w.payments.delayMs = 30;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'race').send(body())),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(names(w.calls).filter((n) => n === 'payment.approve')).toHaveLength(1);
    expect(names(w.calls).filter((n) => n === 'room.hold')).toHaveLength(1);
  });

  it('when the same key comes with another body, then 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const w = world();
    await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'k2').send(body());
    const res = await request(w.app)
      .post('/reservations')
      .set(GUEST)
      .set('Idempotency-Key', 'k2')
      .send(body({ checkOut: addDays(CHECK_OUT, 1) }));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(names(w.calls).filter((n) => n === 'room.hold')).toHaveLength(1);
  });

  it('when the first answer was 402, then the same key replays 402 without asking payment again', async () => {
    const w = world();
    const declined = body({ payment: { method: 'card', token: 'tok_declined' } });
    await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'k3').send(declined);
    const again = await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'k3').send(declined);
    expect(again.status).toBe(402);
    expect(names(w.calls).filter((n) => n === 'payment.approve')).toHaveLength(1);
  });

  it('when a key record is made, then its saga is already in flight, so a crash right after leaves nothing recovery cannot undo', async () => {
    // A key record whose saga never began stayed pending for its whole TTL: every retry was a 503.
    const w = world();
    const sagasSeenAtKeyCreation: string[][] = [];
    const create = w.idempotency.create.bind(w.idempotency);
    w.idempotency.create = async (key, record) => {
      sagasSeenAtKeyCreation.push((await w.sagas.list()).filter((s) => s.record.idempotencyKey === key).map((s) => s.record.reservationId));
      return create(key, record);
    };
    const first = await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'k-order').send(body());
    expect(first.status).toBe(201);
    expect(sagasSeenAtKeyCreation).toEqual([[first.body.id]]);
    // A repeated key removes the in-flight record it began for itself.
    await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'k-order').send(body());
    expect(await w.sagas.list()).toEqual([]);
  });

  it('when the first answer was 503, then the same key runs the saga again', async () => {
    const w = world();
    w.rooms.down = true;
    expect((await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'k4').send(body())).status).toBe(503);
    w.rooms.down = false;
    expect((await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'k4').send(body())).status).toBe(201);
  });

  it('when the first request stored its reservation but not its answer, then a repeat answers 201 from the reservation', async () => {
    const w = world();
    w.idempotency.complete = async () => {
      throw new Error('store hiccup');
    };
    const first = await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'k5').send(body());
    const again = await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'k5').send(body());
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(names(w.calls).filter((n) => n === 'payment.approve')).toHaveLength(1);
  });

  it('when the first request is still running past the wait, then a repeat answers 503 TRY_LATER with Retry-After', async () => {
    const w = world({ idempotencyWaitMs: 50 });
    const { bodyFingerprint, idempotencyRecordKey } = await import('../src/domain/idempotency');
    await w.idempotency.create(idempotencyRecordKey('guest-1', 'k6'), {
      fingerprint: bodyFingerprint(body()),
      reservationId: 'res-9',
      state: 'pending',
      createdAt: 'T',
    });
    const res = await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'k6').send(body());
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(w.calls).toEqual([]);
  });

  it('when the key is longer than 200 characters, then 400 VALIDATION_FAILED', async () => {
    const w = world();
    const res = await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'x'.repeat(201)).send(body());
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('Idempotency-Key');
  });
});

describe('reading and cancelling', () => {
  it('when a reservation is read, then 200; an unknown id is 404 NOT_FOUND', async () => {
    const w = world();
    const created = await request(w.app).post('/reservations').set(GUEST).send(body());
    expect((await request(w.app).get(`/reservations/${created.body.id}`).set(GUEST)).body).toEqual(created.body);
    const missing = await request(w.app).get('/reservations/nope').set(GUEST);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
  });

  it("when a guest's reservations are listed, then pages of {items, nextCursor} from the guest index", async () => {
    const w = world();
    for (let i = 0; i < 3; i++)
      await request(w.app)
        .post('/reservations')
        .set(GUEST)
        .send(body({ checkIn: day(40 + i), checkOut: day(41 + i) }));
    await request(w.app)
      .post('/reservations')
      .set(as('someone-else'))
      .send(body({ guestId: undefined }));
    const page1 = await request(w.app).get('/reservations?guestId=guest-1&limit=2').set(GUEST);
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((r: { id: string }) => r.id)).toEqual(['res-1', 'res-2']);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await request(w.app).get(`/reservations?guestId=guest-1&limit=2&cursor=${page1.body.nextCursor}`).set(GUEST);
    expect(page2.body).toEqual({ items: [expect.objectContaining({ id: 'res-3' })], nextCursor: null });
  });

  it.each([
    ['limit over 100', '/reservations?limit=101'],
    ['a cursor it never gave', '/reservations?cursor=bogus'],
    ['a guestId that cannot be one', '/reservations?guestId=a%20b'],
  ])('when the list is asked with %s, then 400 VALIDATION_FAILED', async (_what, url) => {
    const res = await request(world().app).get(url).set(GUEST);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('when a reservation is cancelled, then 200 cancelled with cancelledAt and ReservationCancelled v2; repeating answers the same', async () => {
    const w = world();
    const created = await request(w.app).post('/reservations').set(GUEST).send(body());
    const first = await request(w.app).post(`/reservations/${created.body.id}/cancel`).set(GUEST);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: created.body.id, status: 'cancelled', cancelledAt: expect.any(String) });
    const again = await request(w.app).post(`/reservations/${created.body.id}/cancel`).set(GUEST).send({});
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(w.state.published.map((e) => [e.type, e.data.version])).toEqual([
      ['ReservationConfirmed', 1],
      ['ReservationCancelled', 2],
    ]);
  });

  it('when an unknown reservation is cancelled, then 404; with a body field, then 400', async () => {
    const w = world();
    expect((await request(w.app).post('/reservations/nope/cancel').set(GUEST)).status).toBe(404);
    const created = await request(w.app).post('/reservations').set(GUEST).send(body());
    expect((await request(w.app).post(`/reservations/${created.body.id}/cancel`).set(GUEST).send({ reason: 'x' })).status).toBe(400);
  });
});

describe('ownership (API.md v2: a reservation is its guest’s)', () => {
  const book = (w: ReturnType<typeof world>, who: Record<string, string>, extra: Record<string, unknown> = {}) =>
    request(w.app)
      .post('/reservations')
      .set(who)
      .send(body({ guestId: undefined, ...extra }));

  it('when nobody is signed in, then every public route is 401 UNAUTHENTICATED and nothing is called', async () => {
    const w = world();
    const created = await book(w, GUEST);
    w.calls.length = 0;
    for (const res of [
      await request(w.app).post('/reservations').send(body()),
      await request(w.app).get('/reservations?guestId=guest-1'),
      await request(w.app).get(`/reservations/${created.body.id}`),
      await request(w.app).post(`/reservations/${created.body.id}/cancel`),
    ]) {
      expect([res.status, res.body.error.code, res.headers['www-authenticate']]).toEqual([401, 'UNAUTHENTICATED', 'Bearer']);
    }
    expect(w.calls).toEqual([]);
    expect(w.state.published.map((e) => e.type)).toEqual(['ReservationConfirmed']);
  });

  it('when guestId is left out, then the caller is the guest; another guestId is 403 FORBIDDEN (operators too) and nothing is held', async () => {
    const w = world();
    const mine = await book(w, as('guest-7'));
    expect([mine.status, mine.body.guestId]).toEqual([201, 'guest-7']);
    w.calls.length = 0;
    for (const who of [as('guest-7'), asOperator()]) {
      const res = await request(w.app)
        .post('/reservations')
        .set(who)
        .send(body({ guestId: 'guest-1' }));
      expect([res.status, res.body.error.code]).toEqual([403, 'FORBIDDEN']);
    }
    expect(w.calls).toEqual([]);
  });

  it('when someone else reads a reservation, then 404 NOT_FOUND exactly as if it did not exist; its guest and an operator read it', async () => {
    const w = world();
    const created = await book(w, GUEST);
    const missing = await request(w.app).get('/reservations/res-none').set(as('guest-2'));
    const hidden = await request(w.app).get(`/reservations/${created.body.id}`).set(as('guest-2'));
    expect([hidden.status, hidden.body]).toEqual([404, missing.body]);
    expect((await request(w.app).get(`/reservations/${created.body.id}`).set(GUEST)).body).toEqual(created.body);
    expect((await request(w.app).get(`/reservations/${created.body.id}`).set(asOperator())).body).toEqual(created.body);
  });

  it("when the list is asked, then the caller's own by default; another guestId is 403 unless an operator asks", async () => {
    const w = world();
    const mine = await book(w, GUEST);
    const theirs = await book(w, as('guest-2'), { checkIn: day(50), checkOut: day(51) });
    expect((await request(w.app).get('/reservations').set(GUEST)).body).toEqual({ items: [mine.body], nextCursor: null });
    expect((await request(w.app).get('/reservations').set(as('guest-2'))).body.items).toEqual([theirs.body]);
    const other = await request(w.app).get('/reservations?guestId=guest-2').set(GUEST);
    expect([other.status, other.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await request(w.app).get('/reservations?guestId=guest-2').set(asOperator())).body.items).toEqual([theirs.body]);
    expect((await request(w.app).get('/reservations').set(asOperator())).body.items).toEqual([]);
  });

  it('when someone else cancels, then 404; an operator, who may see it, gets 403; the reservation stays confirmed until its guest cancels', async () => {
    const w = world();
    const created = await book(w, GUEST);
    const cancel = (who: Record<string, string>) => request(w.app).post(`/reservations/${created.body.id}/cancel`).set(who);
    const stranger = await cancel(as('guest-2'));
    expect([stranger.status, stranger.body.error.code]).toEqual([404, 'NOT_FOUND']);
    const operator = await cancel(asOperator());
    expect([operator.status, operator.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await request(w.app).get(`/reservations/${created.body.id}`).set(GUEST)).body.status).toBe('confirmed');
    expect(w.state.published.map((e) => e.type)).toEqual(['ReservationConfirmed']);
    expect((await cancel(GUEST)).body.status).toBe('cancelled');
  });

  it("when two guests send the same Idempotency-Key, then each gets their own reservation and charge, never the other's answer or a 422", async () => {
    const w = world();
    const first = await book(w, GUEST).set('Idempotency-Key', 'same-key');
    const second = await book(w, as('guest-2'), { checkIn: day(60), checkOut: day(61) }).set('Idempotency-Key', 'same-key');
    const sameBody = await book(w, as('guest-3')).set('Idempotency-Key', 'same-key');
    expect([first.status, second.status, sameBody.status]).toEqual([201, 201, 201]);
    expect([first.body.guestId, second.body.guestId, sameBody.body.guestId]).toEqual(['guest-1', 'guest-2', 'guest-3']);
    expect(new Set([first.body.id, second.body.id, sameBody.body.id]).size).toBe(3);
    expect(names(w.calls).filter((n) => n === 'payment.approve')).toHaveLength(3);
    // Within one guest the key still replays (with guestId given or left out: the same request).
    const replay = await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'same-key').send(body());
    expect(replay.body).toEqual(first.body);
  });

  it('when a path id is not a client id (NUL, encoded slash, too long), then 404 NOT_FOUND and no state is read', async () => {
    const w = world();
    const read: string[] = [];
    const get = w.reservations.get.bind(w.reservations);
    w.reservations.get = async (id) => {
      read.push(id);
      return get(id);
    };
    for (const id of ['%00', 'res%00x', 'a%2Fb', 'x'.repeat(101)]) {
      for (const res of [
        await request(w.app).get(`/reservations/${id}`).set(GUEST),
        await request(w.app).post(`/reservations/${id}/cancel`).set(GUEST),
      ]) {
        expect([id, res.status, res.body.error.code]).toEqual([id, 404, 'NOT_FOUND']);
      }
    }
    expect(read).toEqual([]);
  });
});

describe('the booking horizon (API.md: checkIn today (UTC) .. 500 days ahead)', () => {
  const today = '2030-06-15';
  const fixed = () => world({}, () => new Date(`${today}T23:59:00Z`));
  const stay = (checkIn: string) => body({ checkIn, checkOut: addDays(checkIn, 1) });

  it('when checkIn is today or exactly 500 days ahead, then 201', async () => {
    const w = fixed();
    expect((await request(w.app).post('/reservations').set(GUEST).send(stay(today))).status).toBe(201);
    expect(
      (
        await request(w.app)
          .post('/reservations')
          .set(GUEST)
          .send(stay(addDays(today, 500)))
      ).status,
    ).toBe(201);
  });

  it.each([
    ['yesterday', addDays(today, -1), 'must be today (UTC) or later'],
    ['501 days ahead', addDays(today, 501), 'must be at most 500 days ahead'],
  ])(
    'when checkIn is %s, then 400 with the stay rule and message of the availability routes, and nothing is recorded',
    async (_what, checkIn, reason) => {
      const w = fixed();
      const res = await request(w.app).post('/reservations').set(GUEST).set('Idempotency-Key', 'k').send(stay(checkIn));
      expect([res.status, res.body.error]).toEqual([
        400,
        { code: 'VALIDATION_FAILED', message: 'The dates are not a valid stay.', details: [{ field: 'checkIn', reason }] },
      ]);
      expect(w.calls).toEqual([]);
      expect(w.keysOf('idempotency:')).toEqual([]);
    },
  );
});

describe('start-up recovery', () => {
  const old = '2020-01-01T00:00:00.000Z';

  it('when an old saga was interrupted after paying, then holds are released, the payment refunded, the records dropped', async () => {
    const w = world();
    await w.idempotency.create('key-x', { fingerprint: 'f', reservationId: 'res-x', state: 'pending', createdAt: old });
    await w.sagas.begin({
      reservationId: 'res-x',
      guestId: 'g',
      holds: { roomId: 'room-1', carId: 'car-1' },
      idempotencyKey: 'key-x',
      startedAt: old,
    });
    const result = await w.recover(new Date());
    expect(result).toEqual({ recovered: 1, finished: 0, young: 0 });
    expect(w.calls.sort()).toEqual([
      ['car.release', 'car-1', 'res-x'],
      ['payment.refund', 'res-x'],
      ['room.release', 'room-1', 'res-x'],
    ]);
    expect((await w.inFlight()).length).toBe(0);
    expect(await w.idempotency.get('key-x')).toBeUndefined();
  });

  it('when an interrupted saga had not asked for payment, then its hold is released and a refund asked anyway (harmless: payment has none)', async () => {
    const w = world();
    await w.sagas.begin({
      reservationId: 'res-y',
      guestId: 'g',
      holds: { roomId: 'room-1', carId: null },
      idempotencyKey: null,
      startedAt: old,
    });
    await w.recover(new Date());
    expect(w.calls.sort()).toEqual([
      ['payment.refund', 'res-y'],
      ['room.release', 'room-1', 'res-y'],
    ]);
  });

  it('when the reservation of an in-flight record was stored, then nothing is undone: it is listed for its guest and checkout day and the record dropped', async () => {
    const w = world();
    await request(w.app).post('/reservations').set(GUEST).send(body());
    // What a crash right after the reservation's transaction leaves: the record, neither list.
    await w.sagas.begin({
      reservationId: 'res-1',
      guestId: 'guest-1',
      holds: { roomId: 'room-1', carId: null },
      idempotencyKey: null,
      startedAt: old,
    });
    for (const key of [...w.keysOf('guest-reservations:'), ...w.keysOf('stays-ending:')]) await w.state.deleteState(key);
    w.calls.length = 0;
    expect(await w.recover(new Date())).toEqual({ recovered: 0, finished: 1, young: 0 });
    expect(w.calls).toEqual([]);
    expect(await w.guests.ids('guest-1')).toEqual(['res-1']);
    expect(w.keysOf('stays-ending:').map((key) => w.state.peek(key))).toEqual([{ ids: ['res-1'] }]);
    expect(await w.inFlight()).toEqual([]);
  });

  it('when a record is younger than the minimum age or newer than the process, then it is left alone', async () => {
    const w = world();
    const now = new Date();
    await w.sagas.begin({
      reservationId: 'res-z',
      guestId: 'g',
      holds: { roomId: 'room-1', carId: null },
      idempotencyKey: null,
      startedAt: new Date(now.getTime() - 1000).toISOString(),
    });
    expect(await w.recover(now)).toEqual({ recovered: 0, finished: 0, young: 1 });
    expect(await w.recover(new Date(now.getTime() - 5000))).toEqual({ recovered: 0, finished: 0, young: 0 });
    expect(w.calls).toEqual([]);
    expect((await w.inFlight()).length).toBe(1);
  });

  it('when a compensation failed (room release down), then the record stays; a sweep once it is stale releases the hold and drops it', async () => {
    const w = world();
    w.payments.down = true;
    w.rooms.releaseDown = true;
    const answer = await request(w.app).post('/reservations').set(GUEST).send(body());
    expect(answer.status).toBe(503);
    expect((await w.inFlight()).length).toBe(1);

    w.rooms.releaseDown = false;
    w.calls.length = 0;
    // +1 ms: a saga that began within this millisecond counts as newer than the sweep (skipped).
    expect(await w.recover(new Date(Date.now() + 1), 60_000)).toEqual({ recovered: 0, finished: 0, young: 1 });
    expect(w.calls).toEqual([]);
    expect(await w.recover(new Date(Date.now() + 1000), 0)).toEqual({ recovered: 1, finished: 0, young: 0 });
    expect(w.calls.filter(([name]) => name === 'room.release')).toHaveLength(1);
    expect((await w.inFlight()).length).toBe(0);
  });

  it('when recovery is started, then it recovers at once and sweeps periodically until stopped', async () => {
    const w = world();
    let lists = 0;
    const list = w.sagas.list.bind(w.sagas);
    w.sagas.list = () => (lists++, list());
    const stop = startRecovery(w.deps, { sagaRecoveryMinAgeMs: 0, sagaSweepIntervalMs: 10, sagaStaleAfterMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    stop();
    const seen = lists;
    expect(seen).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(lists).toBe(seen);
  });

  it('when a saga is running in this process, then recovery leaves it alone however old', async () => {
    const w = world();
    w.payments.delayMs = 300;
    // supertest sends on then(): start it now.
    const pending = request(w.app)
      .post('/reservations')
      .set(GUEST)
      .send(body())
      .then((res) => res);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await w.inFlight()).length).toBe(1);
    expect(await w.recover(new Date(Date.now() + 1000), 0)).toEqual({ recovered: 0, finished: 0, young: 0 });
    expect((await pending).status).toBe(201);
    expect(w.calls.filter(([name]) => name === 'room.release')).toEqual([]);
  });
});

describe('in-flight records in slots', () => {
  const record = (reservationId: string) => ({
    reservationId,
    guestId: 'g',
    holds: { roomId: 'room-1', carId: null },
    idempotencyKey: null,
    startedAt: '2020-01-01T00:00:00.000Z',
  });

  it('when the slot a saga picks is taken, then it takes another, and recovery finds both in one bulk read', async () => {
    const w = world({ sagaSlots: 16 });
    const first = await w.sagas.begin(record('res-a'));
    // Another saga whose first pick is that slot: with 16 slots, some id hashes there.
    const clash = Array.from({ length: 500 }, (_, i) => `res-${i}`).find(
      (id) => id !== 'res-a' && keys.sagaSlot(slotOf(id, 0, 16)) === first.mark.key,
    )!;
    const second = await w.sagas.begin(record(clash));
    expect(second.mark.key).not.toBe(first.mark.key);
    const reads = w.state.calls.getMany;
    expect((await w.sagas.list()).map((s) => s.record.reservationId).sort()).toEqual(['res-a', clash].sort());
    expect(w.state.calls.getMany - reads).toBe(1);
  });

  it('when every slot a saga tries is taken, then 503 TRY_LATER and nothing was held', async () => {
    const w = world({ sagaSlots: 16 });
    for (let slot = 0; slot < 16; slot++) await w.state.saveState({ key: keys.sagaSlot(slot), value: record(`other-${slot}`) });
    const res = await request(w.app).post('/reservations').set(GUEST).send(body());
    expect(res.status).toBe(503);
    expect(w.calls).toEqual([]);
  });

  it('when a saga of the index kept before the slots was interrupted, then recovery undoes it and empties that index', async () => {
    const w = world();
    await w.state.saveState({ key: keys.legacySaga('res-old'), value: { ...record('res-old'), step: 'paying', paymentRequested: true } });
    await w.state.saveState({ key: keys.legacySagaIndex(7), value: { ids: ['res-old'] } });
    expect(await w.recover(new Date())).toEqual({ recovered: 1, finished: 0, young: 0 });
    expect(w.calls.sort()).toEqual([
      ['payment.refund', 'res-old'],
      ['room.release', 'room-1', 'res-old'],
    ]);
    expect(w.state.peek(keys.legacySagaIndex(7))).toEqual({ ids: [] });
    expect(w.keysOf('saga:')).toEqual([]);
    expect(await w.inFlight()).toEqual([]);
  });
});
