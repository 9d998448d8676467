import { bodyFingerprint, idempotencyRecordKey } from '../src/domain/idempotency';
import { amountOf, asFirstAnswered, cancelled, confirmed, reservationEvent, withCancellationTerms } from '../src/domain/reservation';

const base = {
  id: 'r1',
  guestId: 'g1',
  roomId: 'room-1',
  carId: null,
  checkIn: '2030-01-01',
  checkOut: '2030-01-04',
  nights: 3,
  amount: 300,
  currency: 'KRW',
  paymentId: 'p1',
  cancellationPolicy: 'moderate' as const,
  timeZone: 'Asia/Seoul',
  roomName: 'Hanok',
  city: 'Seoul',
  now: '2026-01-01T00:00:00.000Z',
};

describe('prices', () => {
  it('when a car comes along, then amount = nights × pricePerNight + nights × pricePerDay', () => {
    expect(amountOf(3, 100_000)).toBe(300_000);
    expect(amountOf(3, 100_000, 30_000)).toBe(390_000);
    expect(amountOf(2, 0, 0)).toBe(0);
  });
});

describe('state transitions', () => {
  it('when confirmed, then status confirmed, version 1, no cancelledAt', () => {
    const stored = confirmed(base);
    expect(stored.version).toBe(1);
    expect(stored.reservation).toMatchObject({ status: 'confirmed', createdAt: base.now, updatedAt: base.now });
    expect(stored.reservation).not.toHaveProperty('cancelledAt');
    expect(stored.reservation).not.toHaveProperty('roomName');
  });

  it('when confirmed, then it keeps the cancellation terms it was made under; no refundAmount yet', () => {
    const { reservation } = confirmed(base);
    expect(reservation).toMatchObject({ cancellationPolicy: 'moderate', timeZone: 'Asia/Seoul' });
    expect(reservation).not.toHaveProperty('refundAmount');
  });

  it('when cancelled, then status cancelled with cancelledAt, the refund decided and version 2; cancelling again changes nothing (the first refund stays)', () => {
    const first = cancelled(confirmed(base), '2026-01-02T00:00:00.000Z', 150);
    expect(first.changed).toBe(true);
    expect(first.next.version).toBe(2);
    expect(first.next.reservation).toMatchObject({
      status: 'cancelled',
      cancelledAt: '2026-01-02T00:00:00.000Z',
      updatedAt: '2026-01-02T00:00:00.000Z',
      refundAmount: 150,
      amount: 300,
    });
    const again = cancelled(first.next, '2026-01-03T00:00:00.000Z', 0);
    expect(again.changed).toBe(false);
    expect(again.next).toEqual(first.next);
  });

  it('when the first answer is replayed after a cancel, then without cancelledAt and refundAmount', () => {
    const { next } = cancelled(confirmed(base), '2026-01-02T00:00:00.000Z', 150);
    expect(asFirstAnswered(next.reservation)).toEqual(confirmed(base).reservation);
  });

  it('when a reservation stored before cancellation policies is read, then it has the default terms (flexible, Asia/Seoul)', () => {
    const stored = confirmed(base);
    const { cancellationPolicy: _p, timeZone: _t, ...old } = stored.reservation;
    const read = withCancellationTerms({ ...stored, reservation: old as typeof stored.reservation });
    expect(read.reservation).toEqual({ ...stored.reservation, cancellationPolicy: 'flexible', timeZone: 'Asia/Seoul' });
    expect(withCancellationTerms(stored)).toBe(stored);
  });

  it('when events are built, then they carry the full reservation, reservationId, roomName, city, version and occurredAt', () => {
    const stored = confirmed(base);
    const event = reservationEvent(stored, 'T');
    expect(event.type).toBe('ReservationConfirmed');
    expect(event.data).toEqual({
      ...stored.reservation,
      reservationId: 'r1',
      roomName: 'Hanok',
      city: 'Seoul',
      version: 1,
      occurredAt: 'T',
    });
    const cancelEvent = reservationEvent(cancelled(stored, 'T2', 150).next, 'T2');
    expect(cancelEvent.type).toBe('ReservationCancelled');
    expect(cancelEvent.data).toMatchObject({
      status: 'cancelled',
      version: 2,
      cancelledAt: 'T2',
      refundAmount: 150,
      cancellationPolicy: 'moderate',
      timeZone: 'Asia/Seoul',
    });
  });
});

describe('idempotency fingerprints', () => {
  it('when the same body comes with its keys in another order, then the fingerprint is the same', () => {
    const a = { guestId: 'g', roomId: 'r', checkIn: '2030-01-01', checkOut: '2030-01-02', payment: { method: 'card', token: 't' } };
    const b = { payment: { token: 't', method: 'card' }, checkOut: '2030-01-02', checkIn: '2030-01-01', roomId: 'r', guestId: 'g' };
    expect(bodyFingerprint(a)).toBe(bodyFingerprint(b));
  });

  it('when any value differs, then the fingerprint differs', () => {
    const a = { guestId: 'g', roomId: 'r', checkIn: '2030-01-01', checkOut: '2030-01-02' };
    expect(bodyFingerprint(a)).not.toBe(bodyFingerprint({ ...a, checkOut: '2030-01-03' }));
    expect(bodyFingerprint(a)).not.toBe(bodyFingerprint({ ...a, carId: 'c' }));
    expect(bodyFingerprint({ x: [1, 2] })).not.toBe(bodyFingerprint({ x: [2, 1] }));
  });
});

describe('idempotency records', () => {
  it('when two guests use the same Idempotency-Key, then their records are two; the join is unambiguous', () => {
    expect(idempotencyRecordKey('g1', 'k')).not.toBe(idempotencyRecordKey('g2', 'k'));
    expect(idempotencyRecordKey('g1', 'k')).toBe(idempotencyRecordKey('g1', 'k'));
    expect(idempotencyRecordKey('a:b', 'c')).not.toBe(idempotencyRecordKey('a', 'b:c'));
    expect(idempotencyRecordKey('a', '","b')).not.toBe(idempotencyRecordKey('a","', 'b'));
  });
});
