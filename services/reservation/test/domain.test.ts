import { amountOf, bodyFingerprint, cancelled, confirmed, idempotencyRecordKey, reservationEvent } from '../src/domain/reservation';

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

  it('when cancelled, then status cancelled with cancelledAt and version 2; cancelling again changes nothing', () => {
    const first = cancelled(confirmed(base), '2026-01-02T00:00:00.000Z');
    expect(first.changed).toBe(true);
    expect(first.next.version).toBe(2);
    expect(first.next.reservation).toMatchObject({
      status: 'cancelled',
      cancelledAt: '2026-01-02T00:00:00.000Z',
      updatedAt: '2026-01-02T00:00:00.000Z',
    });
    const again = cancelled(first.next, '2026-01-03T00:00:00.000Z');
    expect(again.changed).toBe(false);
    expect(again.next).toEqual(first.next);
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
    const cancelEvent = reservationEvent(cancelled(stored, 'T2').next, 'T2');
    expect(cancelEvent.type).toBe('ReservationCancelled');
    expect(cancelEvent.data).toMatchObject({ status: 'cancelled', version: 2, cancelledAt: 'T2' });
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
