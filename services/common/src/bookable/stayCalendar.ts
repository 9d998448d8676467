import { addDays, rangesOverlap, todayUtc, type DateRange } from '../dateRange';
// The calendar of one bookable thing (a room, a car): holds that expire, bookings, cancellations.
// Rooms and cars book the same way, so it lives here once; each service keeps its own store.

/**
 * The calendar of one bookable thing (a room, a car): every stay that holds it, as one document
 * so that one ETag-guarded write decides a hold. Pure: the clock comes in as `now`.
 *
 * Entry states: `held` (until `expiresAt`, then it no longer blocks and is pruned on the next
 * write), `booked` (confirmed; blocks until it is cancelled), `cancelled` (a tombstone: it blocks
 * nothing but remembers the reservation, so a late hold or confirm cannot book it again).
 * `S` is what the owner snapshots at hold time (price, name, city…).
 */
export type EntryStatus = 'held' | 'booked' | 'cancelled';

export interface CalendarEntry<S> extends DateRange {
  reservationId: string;
  guestId: string;
  status: EntryStatus;
  /** ISO; null once booked or cancelled. */
  expiresAt: string | null;
  createdAt: string;
  snapshot: S;
}

export interface Calendar<S> {
  entries: CalendarEntry<S>[];
  /** Set when the owner is being deleted: nothing new is held or booked any more. */
  closed: boolean;
  /**
   * Reservations whose hold was released (the saga gave up on them), with when: a hold request
   * that arrives after its release — the saga's call timed out while the owner was still working
   * on it — must not hold the nights for a reservation that will never be confirmed. Kept for
   * KEEP_RELEASED_MS. Absent in calendars stored before it.
   */
  released?: Record<string, string>;
}

export interface StayRequest extends DateRange {
  reservationId: string;
  guestId: string;
}

/** Cancelled and past entries are kept this long after their checkOut (tombstones), then pruned. */
export const KEEP_PAST_DAYS = 30;

/** How long a release is remembered against a late hold (far longer than any hold request can take). */
export const KEEP_RELEASED_MS = 24 * 3600_000;

export const emptyCalendar = <S>(): Calendar<S> => ({ entries: [], closed: false });

const isExpired = <S>(entry: CalendarEntry<S>, now: Date): boolean =>
  entry.status === 'held' && entry.expiresAt !== null && Date.parse(entry.expiresAt) <= now.getTime();

/** Does this entry keep the nights from others right now? */
export const blocks = <S>(entry: CalendarEntry<S>, now: Date): boolean =>
  entry.status === 'booked' || (entry.status === 'held' && !isExpired(entry, now));

export const entryOf = <S>(calendar: Calendar<S>, reservationId: string): CalendarEntry<S> | undefined =>
  calendar.entries.find((e) => e.reservationId === reservationId);

/** The first entry of another reservation that blocks any of these nights. */
export function conflictOf<S>(calendar: Calendar<S>, range: DateRange, now: Date, except?: string): CalendarEntry<S> | undefined {
  return calendar.entries.find((e) => e.reservationId !== except && blocks(e, now) && rangesOverlap(e, range));
}

export const isAvailable = <S>(calendar: Calendar<S>, range: DateRange, now: Date): boolean =>
  !calendar.closed && conflictOf(calendar, range, now) === undefined;

/**
 * Stays whose checkOut is after today that forbid deleting the owner: confirmed ones, and live holds
 * — a hold may belong to a reservation already answered 201 whose ReservationConfirmed has not
 * arrived yet (API.md: a reservation counts from the moment its POST answered 201). An expired
 * hold does not count: its saga is over without a reservation.
 */
export const upcomingStays = <S>(calendar: Calendar<S>, now: Date): CalendarEntry<S>[] =>
  calendar.entries.filter((e) => blocks(e, now) && e.checkOut > todayUtc(now));

/** Drops expired holds, booked/cancelled entries that ended more than KEEP_PAST_DAYS ago, and old releases. */
export function prune<S>(calendar: Calendar<S>, now: Date): Calendar<S> {
  const horizon = addDays(todayUtc(now), -KEEP_PAST_DAYS);
  const pruned: Calendar<S> = { ...calendar, entries: calendar.entries.filter((e) => !isExpired(e, now) && e.checkOut >= horizon) };
  if (calendar.released) {
    const kept = Object.entries(calendar.released).filter(([, at]) => now.getTime() - Date.parse(at) < KEEP_RELEASED_MS);
    if (kept.length > 0) pruned.released = Object.fromEntries(kept);
    else delete pruned.released;
  }
  return pruned;
}

const sameNights = (a: DateRange, b: DateRange): boolean => a.checkIn === b.checkIn && a.checkOut === b.checkOut;

const replaceEntry = <S>(calendar: Calendar<S>, entry: CalendarEntry<S>): Calendar<S> => ({
  ...calendar,
  entries: [...calendar.entries.filter((e) => e.reservationId !== entry.reservationId), entry],
});

// ---- transitions -------------------------------------------------------------------------------

export type HoldOutcome<S> =
  | { kind: 'created'; calendar: Calendar<S>; entry: CalendarEntry<S> }
  | { kind: 'existing'; entry: CalendarEntry<S> }
  | { kind: 'closed' }
  /** Other nights are taken, this reservation already holds other nights, or it was cancelled. */
  | { kind: 'unavailable'; reason: string };

/** A hold for `ttlSeconds`; idempotent per reservation (same nights → the existing entry). */
export function placeHold<S>(calendar: Calendar<S>, request: StayRequest, snapshot: S, now: Date, ttlSeconds: number): HoldOutcome<S> {
  if (calendar.closed) return { kind: 'closed' };
  const current = entryOf(calendar, request.reservationId);
  if (current?.status === 'cancelled') return { kind: 'unavailable', reason: 'this reservation was cancelled' };
  if (!current && calendar.released?.[request.reservationId] !== undefined) {
    return { kind: 'unavailable', reason: 'this reservation was released' };
  }
  if (current && blocks(current, now)) {
    return sameNights(current, request)
      ? { kind: 'existing', entry: current }
      : { kind: 'unavailable', reason: 'this reservation already holds other dates' };
  }
  if (conflictOf(calendar, request, now, request.reservationId)) return { kind: 'unavailable', reason: 'the dates overlap another stay' };
  const entry: CalendarEntry<S> = {
    reservationId: request.reservationId,
    guestId: request.guestId,
    checkIn: request.checkIn,
    checkOut: request.checkOut,
    status: 'held',
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
    createdAt: now.toISOString(),
    snapshot,
  };
  return { kind: 'created', calendar: replaceEntry(prune(calendar, now), entry), entry };
}

export type BookOutcome<S> =
  | { kind: 'booked'; calendar: Calendar<S>; entry: CalendarEntry<S> }
  | { kind: 'already'; entry: CalendarEntry<S> }
  | { kind: 'missing' }
  | { kind: 'closed' }
  | { kind: 'cancelled'; entry: CalendarEntry<S> }
  | { kind: 'unavailable'; conflict: CalendarEntry<S> };

/**
 * Turns the reservation's hold into a booking (idempotent). A hold that expired still books when
 * its nights are free. Without any entry, `fallback` (from the ReservationConfirmed event) books
 * the nights if they are free; without a fallback the answer is `missing`.
 */
export function book<S>(
  calendar: Calendar<S>,
  reservationId: string,
  now: Date,
  fallback?: { request: StayRequest; snapshot: S },
): BookOutcome<S> {
  const current = entryOf(calendar, reservationId);
  if (current?.status === 'booked') return { kind: 'already', entry: current };
  if (current?.status === 'cancelled') return { kind: 'cancelled', entry: current };
  if (calendar.closed) return { kind: 'closed' };
  const base: CalendarEntry<S> | undefined =
    current ??
    (fallback && {
      reservationId,
      guestId: fallback.request.guestId,
      checkIn: fallback.request.checkIn,
      checkOut: fallback.request.checkOut,
      status: 'held',
      expiresAt: null,
      createdAt: now.toISOString(),
      snapshot: fallback.snapshot,
    });
  if (!base) return { kind: 'missing' };
  const conflict = conflictOf(calendar, base, now, reservationId);
  if (conflict) return { kind: 'unavailable', conflict };
  const entry: CalendarEntry<S> = { ...base, status: 'booked', expiresAt: null };
  return { kind: 'booked', calendar: replaceEntry(prune(calendar, now), entry), entry };
}

/**
 * Frees the reservation's hold (only a `held` entry; bookings end by cancellation) and remembers the
 * release, also when no hold is there yet, so a hold of it that arrives late holds nothing. Idempotent.
 */
export function releaseHold<S>(calendar: Calendar<S>, reservationId: string, now: Date): Calendar<S> | undefined {
  const current = entryOf(calendar, reservationId);
  if (current && current.status !== 'held') return undefined;
  if (!current && calendar.released?.[reservationId] !== undefined) return undefined;
  const pruned = prune(calendar, now);
  return {
    ...pruned,
    entries: pruned.entries.filter((e) => e.reservationId !== reservationId),
    released: { ...pruned.released, [reservationId]: now.toISOString() },
  };
}

export type CancelOutcome<S> = { kind: 'cancelled'; calendar: Calendar<S>; previous: CalendarEntry<S> | undefined } | { kind: 'already' };

/**
 * Frees the nights of a cancelled reservation and leaves a tombstone, also when the cancel comes
 * first (so a late hold or confirm of it books nothing). Idempotent.
 */
export function cancel<S>(calendar: Calendar<S>, request: StayRequest, snapshot: S, now: Date): CancelOutcome<S> {
  const current = entryOf(calendar, request.reservationId);
  if (current?.status === 'cancelled') return { kind: 'already' };
  const entry: CalendarEntry<S> = current
    ? { ...current, status: 'cancelled', expiresAt: null }
    : { ...request, status: 'cancelled', expiresAt: null, createdAt: now.toISOString(), snapshot };
  // A tombstone must survive pruning until long after its stay: keep it even when its nights are past.
  const pruned = prune(calendar, now);
  return {
    kind: 'cancelled',
    calendar: { ...pruned, entries: [...pruned.entries.filter((e) => e.reservationId !== entry.reservationId), entry] },
    previous: current,
  };
}

export const close = <S>(calendar: Calendar<S>, now: Date): Calendar<S> => ({ ...prune(calendar, now), closed: true });
