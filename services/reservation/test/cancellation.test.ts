import request from 'supertest';
import { as, asOperator } from '../../common/test/support/identity';
import { keys } from '../src/adapters/store';
import { world } from './fakes';

/**
 * Cancellation policies through the HTTP edge (issue 18): the service's own clock (`deps.clock`)
 * decides the refund. Check-in 2030-03-10 in Seoul (UTC+9): moderate's full refund ends at 00:00
 * Seoul of 2030-03-05, i.e. 2030-03-04T15:00:00.000Z.
 */
const GUEST = as('guest-1');
const STAY = { roomId: 'room-1', checkIn: '2030-03-10', checkOut: '2030-03-13' }; // 3 nights × 100,000
const MODERATE_CUT_OFF = '2030-03-04T15:00:00.000Z';

function setup(policy: 'flexible' | 'moderate' | 'strict' | 'non_refundable' = 'moderate', timeZone = 'Asia/Seoul') {
  let now = new Date('2030-01-01T00:00:00Z');
  const w = world({}, () => now);
  w.rooms.rooms.set('room-1', {
    pricePerNight: 100_000,
    currency: 'KRW',
    name: 'Hanok',
    city: 'Seoul',
    cancellationPolicy: policy,
    timeZone,
  });
  const setClock = (iso: string, deltaMs = 0) => {
    now = new Date(Date.parse(iso) + deltaMs);
  };
  const reserve = async (extra: Record<string, unknown> = {}) => {
    const res = await request(w.app)
      .post('/reservations')
      .set(GUEST)
      .send({ ...STAY, ...extra });
    expect(res.status).toBe(201);
    return res.body as { id: string; amount: number };
  };
  const quote = (id: string, who = GUEST) => request(w.app).get(`/reservations/${id}/cancellation`).set(who);
  const cancel = (id: string, who = GUEST) => request(w.app).post(`/reservations/${id}/cancel`).set(who);
  return { w, setClock, reserve, quote, cancel };
}

describe('GET /reservations/{id}/cancellation and the cancel', () => {
  it('when a moderate reservation is cancelled 1 ms before its cut-off, then the quote and the cancel both refund in full', async () => {
    const { setClock, reserve, quote, cancel, w } = setup();
    const { id } = await reserve();
    setClock(MODERATE_CUT_OFF, -1);
    const asked = await quote(id);
    expect(asked.status).toBe(200);
    expect(asked.body).toEqual({
      reservationId: id,
      status: 'confirmed',
      cancellationPolicy: 'moderate',
      timeZone: 'Asia/Seoul',
      amount: 300_000,
      currency: 'KRW',
      refundAmount: 300_000,
      fullRefundUntil: MODERATE_CUT_OFF,
      schedule: [
        { until: MODERATE_CUT_OFF, percent: 100, refundAmount: 300_000 },
        { until: null, percent: 50, refundAmount: 150_000 },
      ],
    });
    const cancelled = await cancel(id);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', refundAmount: 300_000, amount: 300_000, cancellationPolicy: 'moderate' });
    expect(w.state.published.at(-1)).toEqual({
      type: 'ReservationCancelled',
      data: expect.objectContaining({ reservationId: id, refundAmount: 300_000, cancellationPolicy: 'moderate', timeZone: 'Asia/Seoul' }),
    });
  });

  it('when it is cancelled at the cut-off, then half; repeating the cancel later answers the same amount and publishes nothing more', async () => {
    const { setClock, reserve, quote, cancel, w } = setup();
    const { id } = await reserve();
    setClock(MODERATE_CUT_OFF);
    expect((await quote(id)).body.refundAmount).toBe(150_000);
    const first = await cancel(id);
    expect([first.status, first.body.refundAmount, first.body.cancelledAt]).toEqual([200, 150_000, MODERATE_CUT_OFF]);
    setClock('2030-03-20T00:00:00Z');
    const again = await cancel(id);
    expect(again.body).toEqual(first.body);
    expect((await request(w.app).get(`/reservations/${id}`).set(GUEST)).body).toEqual(first.body);
    // Once cancelled, the quote tells the refund that was decided, not today's.
    expect((await quote(id)).body).toMatchObject({ status: 'cancelled', refundAmount: 150_000 });
    expect(w.state.published.map((e) => [e.type, e.data.refundAmount])).toEqual([
      ['ReservationConfirmed', undefined],
      ['ReservationCancelled', 150_000],
    ]);
  });

  it('when the room’s policy changes after the reservation was made, then the reservation keeps the terms it was made under', async () => {
    const { setClock, reserve, cancel, w } = setup('flexible', 'Pacific/Auckland');
    const { id } = await reserve();
    w.rooms.rooms.set('room-1', { ...w.rooms.rooms.get('room-1')!, cancellationPolicy: 'non_refundable', timeZone: 'UTC' });
    setClock('2030-03-01T00:00:00Z');
    expect((await cancel(id)).body).toMatchObject({ cancellationPolicy: 'flexible', timeZone: 'Pacific/Auckland', refundAmount: 300_000 });
  });

  it('when a car comes along, then it follows the room’s policy: the refund is a share of the whole amount', async () => {
    const { setClock, reserve, cancel } = setup('strict');
    const { id, amount } = await reserve({ carId: 'car-1' });
    expect(amount).toBe(390_000);
    setClock('2030-03-01T00:00:00Z'); // strict: 50 % until 00:00 Seoul of 03-03
    expect((await cancel(id)).body.refundAmount).toBe(195_000);
  });

  it('when a non_refundable reservation is cancelled a year ahead, then nothing is refunded and the event says 0', async () => {
    const { reserve, cancel, quote, w } = setup('non_refundable');
    const { id } = await reserve();
    expect((await quote(id)).body).toMatchObject({ refundAmount: 0, fullRefundUntil: null });
    expect((await cancel(id)).body.refundAmount).toBe(0);
    expect(w.state.published.at(-1)?.data.refundAmount).toBe(0);
  });

  it('when someone else asks, then 404 as for an unknown id; an operator gets 403; nobody signed in 401', async () => {
    const { reserve, quote, w } = setup();
    const { id } = await reserve();
    const unknown = await quote('res-none');
    const stranger = await quote(id, as('guest-2'));
    expect([stranger.status, stranger.body]).toEqual([404, unknown.body]);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    const operator = await quote(id, asOperator());
    expect([operator.status, operator.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const anonymous = await request(w.app).get(`/reservations/${id}/cancellation`);
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const badId = await quote('a%00b');
    expect(badId.status).toBe(404);
  });

  it('when a reservation was stored before cancellation policies, then it reads and cancels as flexible in Asia/Seoul', async () => {
    const { setClock, reserve, cancel, quote, w } = setup('strict');
    const { id } = await reserve();
    const stored = w.state.peek(keys.reservation(id)) as { reservation: Record<string, unknown> };
    const { cancellationPolicy: _p, timeZone: _t, ...old } = stored.reservation;
    await w.state.saveState({
      key: keys.reservation(id),
      value: { ...stored, reservation: old },
      etag: (await w.state.getState(keys.reservation(id)))!.etag,
    });
    expect((await request(w.app).get(`/reservations/${id}`).set(GUEST)).body).toMatchObject({
      cancellationPolicy: 'flexible',
      timeZone: 'Asia/Seoul',
    });
    // flexible: in full until 00:00 Seoul of 03-09.
    setClock('2030-03-08T14:59:59.999Z');
    expect((await quote(id)).body.refundAmount).toBe(300_000);
    expect((await cancel(id)).body).toMatchObject({ cancellationPolicy: 'flexible', refundAmount: 300_000 });
  });

  it('when the stay has ended (completed), then the quote answers 409 RESERVATION_COMPLETED like its cancel, and nothing changes', async () => {
    const { reserve, quote, cancel, w } = setup();
    const { id } = await reserve();
    const stored = w.state.peek(keys.reservation(id)) as { reservation: Record<string, unknown> };
    await w.state.saveState({
      key: keys.reservation(id),
      value: { ...stored, reservation: { ...stored.reservation, status: 'completed', completedAt: '2030-03-14T00:00:00.000Z' } },
      etag: (await w.state.getState(keys.reservation(id)))!.etag,
    });
    const asked = await quote(id);
    expect([asked.status, asked.body.error?.code]).toEqual([409, 'RESERVATION_COMPLETED']);
    expect((await cancel(id)).status).toBe(409);
    expect((w.state.peek(keys.reservation(id)) as { reservation: { status: string } }).reservation.status).toBe('completed');
  });

  it('when the room service answers a hold without terms (from before issue 18), then the reservation takes the defaults', async () => {
    const { w } = setup();
    w.rooms.rooms.set('room-1', { pricePerNight: 100_000, currency: 'KRW', name: 'Hanok', city: 'Seoul' });
    const res = await request(w.app).post('/reservations').set(GUEST).send(STAY);
    expect(res.body).toMatchObject({ cancellationPolicy: 'flexible', timeZone: 'Asia/Seoul' });
  });
});
