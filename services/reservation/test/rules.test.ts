import pino from 'pino';
import { DomainError, tryLater } from '@staycar/common';
import { MemoryStatePort } from '@staycar/common/testing';
import { keyReused, outcomeOf, replayed, replayStep, type IdempotencyRecord } from '../src/domain/idempotency';
import { doneByRecord, recoveryDue, sagaBegun } from '../src/domain/saga';
import { keys, StateIdempotencyStore } from '../src/adapters/store';
import { withSagaPauses } from '../src/adapters/testPauses';
import { asFirstAnswered, cancelled, confirmed, type Reservation } from '../src/domain/reservation';

const reservation = { id: 'res-1', guestId: 'g', status: 'confirmed' } as Reservation;
const pending: IdempotencyRecord = { fingerprint: 'f', reservationId: 'res-1', state: 'pending', createdAt: 'T' };

describe('idempotency rules', () => {
  it('when a repeat finds a record, then another body is a reuse, a done one is answered, a pending one waited for, none means forgotten', () => {
    expect(replayStep(undefined, 'f')).toEqual({ kind: 'forgotten' });
    expect(replayStep(pending, 'other')).toEqual({ kind: 'reused' });
    expect(replayStep(pending, 'f')).toEqual({ kind: 'pending', reservationId: 'res-1' });
    const done = { ...pending, state: 'done' as const, outcome: { reservation } };
    expect(replayStep(done, 'f')).toEqual({ kind: 'answer', outcome: { reservation } });
    expect(keyReused()).toMatchObject({ kind: 'unprocessable', code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('when a saga ends, then a reservation or a refusal is remembered and replayed; a failure or a bug is not', () => {
    expect(replayed(outcomeOf({ reservation })!)).toBe(reservation);
    const declined = new DomainError('declined', 'PAYMENT_DECLINED', 'no', [{ field: 'payment', reason: 'x' }]);
    const outcome = outcomeOf({ error: declined })!;
    expect(() => replayed(outcome)).toThrow(
      expect.objectContaining({ kind: 'declined', code: 'PAYMENT_DECLINED', details: declined.details }),
    );
    expect(outcomeOf({ error: tryLater() })).toBeUndefined();
    expect(outcomeOf({ error: new Error('bug') })).toBeUndefined();
  });

  it('when an outcome is stored, then as the first answer’s status and body (the form records have always had), and read back the same', async () => {
    const state = new MemoryStatePort();
    const store = new StateIdempotencyStore(state, 86_400);
    await store.create('k', pending);
    await store.complete('k', { ...pending, state: 'done', outcome: { reservation } });
    expect(state.peek(keys.idempotency('k'))).toEqual({ ...pending, state: 'done', status: 201, body: reservation });
    expect(await store.get('k')).toEqual({ ...pending, state: 'done', outcome: { reservation } });
    const refusal = { kind: 'conflict' as const, code: 'ROOM_UNAVAILABLE', message: 'taken', details: [] };
    await store.complete('k', { ...pending, state: 'done', outcome: { refusal } });
    expect(state.peek(keys.idempotency('k'))).toMatchObject({
      status: 409,
      body: { error: { code: 'ROOM_UNAVAILABLE', message: 'taken' } },
    });
    expect(await store.get('k')).toMatchObject({ outcome: { refusal } });
    expect(await store.create('k', pending)).toBe(false);
  });
});

describe('the first answer of a reservation', () => {
  it('when a reservation was cancelled since, then its first answer is still the confirmed one, as it was answered', () => {
    const made = confirmed({
      id: 'res-1',
      guestId: 'g',
      roomId: 'room-1',
      carId: null,
      checkIn: '2030-01-01',
      checkOut: '2030-01-02',
      nights: 1,
      amount: 10,
      currency: 'KRW',
      cancellationPolicy: 'strict',
      timeZone: 'Asia/Seoul',
      paymentId: 'p',
      roomName: 'n',
      city: 'c',
      now: '2029-01-01T00:00:00.000Z',
    });
    expect(asFirstAnswered(made.reservation)).toEqual(made.reservation);
    const later = cancelled(made, '2029-02-01T00:00:00.000Z', 5).next.reservation;
    expect(later).toMatchObject({ status: 'cancelled', cancelledAt: '2029-02-01T00:00:00.000Z', refundAmount: 5 });
    expect(asFirstAnswered(later)).toEqual(made.reservation);
  });
});

describe('saga rules', () => {
  const request = { guestId: 'g', roomId: 'room-1', checkIn: '2030-01-01', checkOut: '2030-01-02', carId: 'car-1' };
  const begun = sagaBegun(request, 'res-1', null, '2030-01-01T00:00:00.000Z');

  it('when a saga is interrupted, then everything its record names may have been done, the payment included', () => {
    // The record is never updated: a refund of a payment never asked for is harmless (payment: "none", a tombstone).
    expect(doneByRecord(begun)).toEqual({ room: true, car: true, payment: true });
    expect(doneByRecord({ ...begun, holds: { roomId: 'room-1', carId: null } })).toEqual({ room: true, car: false, payment: true });
  });

  it('when recovery looks at a record, then newer than the cut-off is skipped, younger than the age waits, the rest is due', () => {
    const started = Date.parse(begun.startedAt);
    expect(recoveryDue(begun, new Date(started), 0, new Date(started + 10))).toBe('skip');
    expect(recoveryDue(begun, new Date(started + 1), 1000, new Date(started + 999))).toBe('young');
    expect(recoveryDue(begun, new Date(started + 1), 1000, new Date(started + 1000))).toBe('due');
  });

  it('when test pauses are asked, then the saga sleeps before the payment is asked for and after it was approved, nowhere else', async () => {
    const order: string[] = [];
    const payments = {
      approve: async () => (order.push('approve'), { id: 'p', reservationId: 'res-1', status: 'approved' }),
      refund: async () => void order.push('refund'),
    };
    const paused = withSagaPauses(
      payments,
      { sagaPauseAfterHoldMs: 5, sagaPauseAfterPaymentMs: 7 },
      pino({ level: 'silent' }),
      async (ms) => {
        order.push(`sleep ${ms}`);
      },
    );
    await paused.approve({ reservationId: 'res-1', guestId: 'g', amount: 1, currency: 'KRW' });
    await paused.refund('res-1');
    expect(order).toEqual(['sleep 5', 'approve', 'sleep 7', 'refund']);
  });
});
