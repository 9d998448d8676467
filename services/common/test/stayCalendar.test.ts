import {
  book,
  blocks,
  cancel,
  close,
  conflictOf,
  emptyCalendar,
  isAvailable,
  placeHold,
  prune,
  releaseHold,
  upcomingStays,
  type Calendar,
} from '../src/bookable/stayCalendar';

const NOW = new Date('2030-01-01T12:00:00Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const snap = { price: 100 };
const stay = (reservationId: string, checkIn: string, checkOut: string) => ({ reservationId, guestId: 'g1', checkIn, checkOut });
type Cal = Calendar<typeof snap>;

function held(calendar: Cal, reservationId: string, checkIn: string, checkOut: string, now = NOW): Cal {
  const outcome = placeHold(calendar, stay(reservationId, checkIn, checkOut), snap, now, 600);
  if (outcome.kind !== 'created') throw new Error(`expected created, got ${outcome.kind}`);
  return outcome.calendar;
}

describe('the calendar', () => {
  it('when the nights are free, then a hold is created, blocks them and expires after the TTL', () => {
    const outcome = placeHold(emptyCalendar<typeof snap>(), stay('r1', '2030-02-01', '2030-02-03'), snap, NOW, 600);
    expect(outcome.kind).toBe('created');
    if (outcome.kind !== 'created') return;
    expect(outcome.entry).toMatchObject({ status: 'held', expiresAt: '2030-01-01T12:10:00.000Z', snapshot: snap });
    expect(isAvailable(outcome.calendar, { checkIn: '2030-02-02', checkOut: '2030-02-04' }, NOW)).toBe(false);
    expect(isAvailable(outcome.calendar, { checkIn: '2030-02-02', checkOut: '2030-02-04' }, later(600))).toBe(true);
  });

  it('when another stay holds overlapping nights, then the hold is unavailable; back-to-back is fine', () => {
    const calendar = held(emptyCalendar(), 'r1', '2030-02-01', '2030-02-03');
    expect(placeHold(calendar, stay('r2', '2030-02-02', '2030-02-05'), snap, NOW, 600).kind).toBe('unavailable');
    expect(placeHold(calendar, stay('r2', '2030-01-30', '2030-02-01'), snap, NOW, 600).kind).toBe('created');
    expect(placeHold(calendar, stay('r2', '2030-02-03', '2030-02-05'), snap, NOW, 600).kind).toBe('created');
  });

  it('when the same reservation asks again for the same nights, then the existing hold (idempotent); other nights, then unavailable', () => {
    const calendar = held(emptyCalendar(), 'r1', '2030-02-01', '2030-02-03');
    const again = placeHold(calendar, stay('r1', '2030-02-01', '2030-02-03'), snap, later(5), 600);
    expect(again).toMatchObject({ kind: 'existing', entry: { expiresAt: '2030-01-01T12:10:00.000Z' } });
    expect(placeHold(calendar, stay('r1', '2030-02-01', '2030-02-04'), snap, NOW, 600).kind).toBe('unavailable');
  });

  it('when a hold expired, then others may hold its nights and it is pruned on that write', () => {
    const calendar = held(emptyCalendar(), 'r1', '2030-02-01', '2030-02-03');
    const next = held(calendar, 'r2', '2030-02-01', '2030-02-03', later(601));
    expect(next.entries.map((e) => e.reservationId)).toEqual(['r2']);
  });

  it('when a hold is confirmed, then it is booked (no expiry) and confirming again changes nothing', () => {
    const calendar = held(emptyCalendar(), 'r1', '2030-02-01', '2030-02-03');
    const booked = book(calendar, 'r1', later(10));
    expect(booked.kind).toBe('booked');
    if (booked.kind !== 'booked') return;
    expect(booked.entry).toMatchObject({ status: 'booked', expiresAt: null });
    expect(blocks(booked.entry, later(10 ** 8))).toBe(true);
    expect(book(booked.calendar, 'r1', later(20)).kind).toBe('already');
  });

  it('when an expired hold is confirmed and its nights are still free, then it is booked; if taken, unavailable', () => {
    const calendar = held(emptyCalendar(), 'r1', '2030-02-01', '2030-02-03');
    expect(book(calendar, 'r1', later(700)).kind).toBe('booked');
    const stolen = held(calendar, 'r2', '2030-02-02', '2030-02-04', later(700));
    // r1 was pruned by r2's write: the confirm only books from the event's data (fallback).
    expect(book(stolen, 'r1', later(701)).kind).toBe('missing');
    const outcome = book(stolen, 'r1', later(701), { request: stay('r1', '2030-02-01', '2030-02-03'), snapshot: snap });
    expect(outcome).toMatchObject({ kind: 'unavailable', conflict: { reservationId: 'r2' } });
  });

  it('when nothing is known of a reservation, then confirm is missing unless the event brings the stay', () => {
    expect(book(emptyCalendar(), 'r9', NOW).kind).toBe('missing');
    expect(book(emptyCalendar<typeof snap>(), 'r9', NOW, { request: stay('r9', '2030-02-01', '2030-02-02'), snapshot: snap }).kind).toBe(
      'booked',
    );
  });

  it('when a hold is released, then its nights are free; releasing again or a booking changes nothing', () => {
    const calendar = held(emptyCalendar(), 'r1', '2030-02-01', '2030-02-03');
    const released = releaseHold(calendar, 'r1', NOW)!;
    expect(released.entries).toEqual([]);
    expect(isAvailable(released, { checkIn: '2030-02-01', checkOut: '2030-02-03' }, NOW)).toBe(true);
    expect(releaseHold(released, 'r1', NOW)).toBeUndefined();
    const booked = book(calendar, 'r1', NOW);
    if (booked.kind !== 'booked') throw new Error('expected booked');
    expect(releaseHold(booked.calendar, 'r1', NOW)).toBeUndefined();
  });

  it('when the release comes before its hold (the saga gave up on a hold still in progress), then the late hold holds nothing', () => {
    const released = releaseHold(emptyCalendar<typeof snap>(), 'r1', NOW)!;
    expect(released.entries).toEqual([]);
    expect(releaseHold(released, 'r1', NOW)).toBeUndefined();
    expect(placeHold(released, stay('r1', '2030-02-01', '2030-02-03'), snap, later(5), 600)).toEqual({
      kind: 'unavailable',
      reason: 'this reservation was released',
    });
    // Another reservation is not affected, and the nights stay free.
    expect(placeHold(released, stay('r2', '2030-02-01', '2030-02-03'), snap, later(5), 600).kind).toBe('created');
    expect(isAvailable(released, { checkIn: '2030-02-01', checkOut: '2030-02-03' }, later(5))).toBe(true);
  });

  it('when a held reservation is released and its hold is retried, then the retry holds nothing; the release is forgotten after a day', () => {
    const released = releaseHold(held(emptyCalendar(), 'r1', '2030-02-01', '2030-02-03'), 'r1', NOW)!;
    expect(placeHold(released, stay('r1', '2030-02-01', '2030-02-03'), snap, later(1), 600).kind).toBe('unavailable');
    expect(prune(released, later(24 * 3600 + 1)).released).toBeUndefined();
    expect(prune(released, later(3600)).released).toEqual({ r1: NOW.toISOString() });
  });

  it('when a booking is cancelled, then its nights are free and a tombstone stays; cancelling again is a no-op', () => {
    const booked = book(held(emptyCalendar(), 'r1', '2030-02-01', '2030-02-03'), 'r1', NOW);
    if (booked.kind !== 'booked') throw new Error('expected booked');
    const cancelled = cancel(booked.calendar, stay('r1', '2030-02-01', '2030-02-03'), snap, NOW);
    if (cancelled.kind !== 'cancelled') throw new Error('expected cancelled');
    expect(cancelled.previous?.status).toBe('booked');
    expect(isAvailable(cancelled.calendar, { checkIn: '2030-02-01', checkOut: '2030-02-03' }, NOW)).toBe(true);
    expect(cancel(cancelled.calendar, stay('r1', '2030-02-01', '2030-02-03'), snap, NOW).kind).toBe('already');
  });

  it('when the cancel arrives before the hold and the confirm, then neither books the nights', () => {
    const cancelled = cancel(emptyCalendar<typeof snap>(), stay('r1', '2030-02-01', '2030-02-03'), snap, NOW);
    if (cancelled.kind !== 'cancelled') throw new Error('expected cancelled');
    expect(cancelled.previous).toBeUndefined();
    expect(placeHold(cancelled.calendar, stay('r1', '2030-02-01', '2030-02-03'), snap, NOW, 600).kind).toBe('unavailable');
    expect(book(cancelled.calendar, 'r1', NOW, { request: stay('r1', '2030-02-01', '2030-02-03'), snapshot: snap }).kind).toBe('cancelled');
    expect(isAvailable(cancelled.calendar, { checkIn: '2030-02-01', checkOut: '2030-02-03' }, NOW)).toBe(true);
  });

  it('when bookings or live holds end after today, then they are upcoming; expired holds and past stays are not', () => {
    let calendar = held(emptyCalendar(), 'past', '2029-12-20', '2030-01-01');
    calendar = held(calendar, 'hold', '2030-03-01', '2030-03-02');
    calendar = held(calendar, 'future', '2030-02-01', '2030-02-03');
    for (const id of ['past', 'future']) {
      const outcome = book(calendar, id, NOW);
      if (outcome.kind !== 'booked') throw new Error('expected booked');
      calendar = outcome.calendar;
    }
    expect(
      upcomingStays(calendar, NOW)
        .map((e) => e.reservationId)
        .sort(),
    ).toEqual(['future', 'hold']);
    const afterHoldTtl = new Date(NOW.getTime() + 3600_000);
    expect(upcomingStays(calendar, afterHoldTtl).map((e) => e.reservationId)).toEqual(['future']);
  });

  it('when the calendar is closed (owner deleted), then nothing can be held, booked or found available', () => {
    const closed = close(emptyCalendar<typeof snap>(), NOW);
    expect(placeHold(closed, stay('r1', '2030-02-01', '2030-02-03'), snap, NOW, 600).kind).toBe('closed');
    expect(book(closed, 'r1', NOW, { request: stay('r1', '2030-02-01', '2030-02-03'), snapshot: snap }).kind).toBe('closed');
    expect(isAvailable(closed, { checkIn: '2030-02-01', checkOut: '2030-02-03' }, NOW)).toBe(false);
  });

  it('when entries ended long ago, then a write prunes them; conflicts ignore the asking reservation', () => {
    const calendar = held(emptyCalendar(), 'old', '2029-10-01', '2029-10-05');
    expect(prune(calendar, NOW).entries).toEqual([]);
    const fresh = held(emptyCalendar(), 'r1', '2030-02-01', '2030-02-03');
    expect(conflictOf(fresh, { checkIn: '2030-02-01', checkOut: '2030-02-03' }, NOW, 'r1')).toBeUndefined();
  });
});
