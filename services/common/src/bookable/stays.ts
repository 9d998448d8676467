import { assertBookableStay, nightsOf, type DateRange } from '../dateRange';
import type { BookableCalendar } from './calendar';
import type { CalendarEntry, StayRequest } from './stayCalendar';
import type { Listing } from './listings';

/** The stay of a hold as the internal `Hold` of docs/contracts.md shows it (with the listing's id and snapshot). */
export interface HeldStay {
  reservationId: string;
  guestId: string;
  checkIn: string;
  checkOut: string;
  nights: number;
  status: 'held' | 'booked';
  expiresAt: string | null;
}

/** A hold: the listing's id under its own name (`roomId`, `carId`), the stay, and what the hold remembers of the listing. */
export type HoldOf<I extends string, S> = Record<I, string> & HeldStay & S;

/** The kind's `toHold`: `{[idField]: id, …stay, …snapshot}`. */
export const holdView =
  <I extends string, S>(idField: I) =>
  (id: string, entry: CalendarEntry<S>): HoldOf<I, S> =>
    ({
      [idField]: id,
      reservationId: entry.reservationId,
      guestId: entry.guestId,
      checkIn: entry.checkIn,
      checkOut: entry.checkOut,
      nights: nightsOf(entry),
      status: entry.status === 'booked' ? 'booked' : 'held',
      expiresAt: entry.status === 'booked' ? null : entry.expiresAt,
      ...entry.snapshot,
    }) as HoldOf<I, S>;

/** What a stay calendar needs to know of the listings it books. */
export interface BookedListings<L extends Listing> {
  /** The live listing, or the kind's 404. */
  get(id: string): Promise<L>;
  /** The listing as stored now, deleted or not; undefined when unknown. */
  known(id: string): Promise<L | undefined>;
}

/**
 * The stays of one kind of listing (the saga's holds, the Reservation* events, availability), over
 * the shared `BookableCalendar`. A hold remembers `snapshotOf(listing)` so `reservation` needs no
 * other call; `unknownSnapshot` is what a cancellation of a listing this service does not know
 * leaves in its tombstone.
 */
export class ListingStays<L extends Listing, S, H> {
  constructor(
    private readonly calendar: BookableCalendar<S, H>,
    private readonly listings: BookedListings<L>,
    private readonly snapshotOf: (listing: L) => S,
    private readonly unknownSnapshot: S,
    private readonly now: () => Date,
  ) {}

  /** For a stay a guest could book (the same rule as POST /reservations: 400 otherwise). */
  async availability(id: string, range: DateRange): Promise<boolean> {
    assertBookableStay(range, this.now());
    await this.listings.get(id);
    return this.calendar.isAvailable(id, range);
  }

  /** Idempotent per reservation: the same stay again answers the existing hold (`created: false`). */
  async hold(id: string, request: StayRequest): Promise<{ hold: H; created: boolean }> {
    const listing = await this.listings.get(id);
    return this.calendar.hold(id, request, this.snapshotOf(listing));
  }

  releaseHold(id: string, reservationId: string): Promise<void> {
    return this.calendar.releaseHold(id, reservationId);
  }

  /** Hold → booked (with the kind's `booked` event, once: repeating finds it booked). */
  confirmHold(id: string, reservationId: string): Promise<H> {
    return this.calendar.confirmHold(id, reservationId);
  }

  /** ReservationConfirmed (idempotent): hold → booked; an expired hold (or none) books the stay if still free. */
  async bookConfirmed(id: string, request: StayRequest): Promise<void> {
    const listing = await this.listings.known(id);
    await this.calendar.bookConfirmed(id, request, listing ? this.snapshotOf(listing) : undefined);
  }

  /** ReservationCancelled (idempotent): frees the stay and leaves a tombstone (also when it arrives first). */
  async cancelReservation(id: string, request: StayRequest): Promise<void> {
    const listing = await this.listings.known(id);
    await this.calendar.cancelReservation(id, request, listing ? this.snapshotOf(listing) : this.unknownSnapshot);
  }

  /** The calendar's entry of this reservation (held, booked or cancelled), if it has one. */
  entry(id: string, reservationId: string): Promise<CalendarEntry<S> | undefined> {
    return this.calendar.entry(id, reservationId);
  }
}
