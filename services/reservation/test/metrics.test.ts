import request from 'supertest';
import { addDays, metricsRegistry, todayUtc } from '@staycar/common';
import { metricSum } from '@staycar/common/testing';
import { as } from '../../common/test/support/identity';
import { reservationMetrics } from '../src/adapters/metrics';
import { world } from './fakes';

const day = (n: number) => addDays(todayUtc(new Date()), n);
const GUEST = as('guest-1');
const body = (extra: Record<string, unknown> = {}) => ({
  guestId: 'guest-1',
  roomId: 'room-1',
  checkIn: day(30),
  checkOut: day(33),
  ...extra,
});
const reserve = (w: ReturnType<typeof world>, extra: Record<string, unknown> = {}, key?: string) => {
  const req = request(w.app).post('/reservations').set(GUEST);
  return (key ? req.set('Idempotency-Key', key) : req).send(body(extra));
};

describe('what the saga counts', () => {
  it('when a reservation is confirmed, then one confirmed saga and no compensation', async () => {
    const w = world();
    expect((await reserve(w)).status).toBe(201);
    expect(w.counted).toEqual(['saga confirmed none']);
  });

  it('when the room is taken, then a refusal by its code and nothing to compensate', async () => {
    const w = world();
    w.rooms.taken.add('room-1');
    expect((await reserve(w)).status).toBe(409);
    expect(w.counted).toEqual(['saga refused ROOM_UNAVAILABLE']);
  });

  it('when the payment is declined after the holds, then a refusal PAYMENT_DECLINED and a complete compensation by the saga', async () => {
    const w = world();
    expect((await reserve(w, { carId: 'car-1', payment: { method: 'card', token: 'tok_declined' } })).status).toBe(402);
    expect(w.counted).toEqual(['compensated by saga: complete', 'saga refused PAYMENT_DECLINED']);
  });

  it('when the payment service does not answer, then TRY_LATER, compensated by the saga', async () => {
    const w = world();
    w.payments.down = true;
    expect((await reserve(w)).status).toBe(503);
    expect(w.counted).toEqual(['compensated by saga: complete', 'saga try_later TRY_LATER']);
  });

  it('when a compensation fails, then it is counted incomplete; the recovery sweep counts its own', async () => {
    const w = world();
    w.payments.down = true;
    w.rooms.releaseDown = true;
    expect((await reserve(w)).status).toBe(503);
    expect(w.counted).toEqual(['compensated by saga: incomplete', 'saga try_later TRY_LATER']);
    w.rooms.releaseDown = false;
    await w.recover(new Date(Date.now() + 60_000), 0);
    expect(w.counted.slice(2)).toEqual(['compensated by recovery: complete']);
  });

  it('when a key is repeated, then the repeat is an idempotent replay, not a second saga', async () => {
    const w = world();
    expect((await reserve(w, {}, 'k-1')).status).toBe(201);
    expect((await reserve(w, {}, 'k-1')).status).toBe(201);
    expect((await reserve(w, { checkOut: day(34) }, 'k-1')).status).toBe(422);
    expect(w.counted).toEqual(['saga confirmed none', 'replay replayed', 'replay IDEMPOTENCY_KEY_REUSED']);
  });
});

describe('reservationMetrics (the Prometheus adapter)', () => {
  it('when the use cases count, then the counters carry outcome and reason, by, result', async () => {
    const metrics = reservationMetrics();
    const read = async (name: string, labels: Record<string, string>) => metricSum(await metricsRegistry.metrics(), name, labels);
    const before = await read('staycar_saga_outcomes_total', { outcome: 'refused', reason: 'ROOM_UNAVAILABLE' });
    metrics.sagaEnded('refused', 'ROOM_UNAVAILABLE');
    metrics.compensated('recovery', 'incomplete');
    metrics.idempotentReplay('replayed');
    expect(await read('staycar_saga_outcomes_total', { outcome: 'refused', reason: 'ROOM_UNAVAILABLE' })).toBe(before + 1);
    expect(await read('staycar_saga_compensations_total', { by: 'recovery', result: 'incomplete' })).toBeGreaterThanOrEqual(1);
    expect(await read('staycar_idempotent_replays_total', { result: 'replayed' })).toBeGreaterThanOrEqual(1);
  });
});
