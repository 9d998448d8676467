import { randomBytes } from 'node:crypto';
import {
  ApiError,
  assertBookableStay,
  assertOwner,
  conflict,
  nightsOf,
  notFound,
  retryOnConflict,
  validationFailed,
  type DomainEvent,
  type Logger,
  BookableCalendar,
  type BookableKind,
  type Caller,
  type StayCalendarEntry,
  type StayRequest,
} from '@staycar/common';
import { keys, type StatePort } from './adapters/state';
import {
  addReview,
  decodeCursor,
  emptyReviewLog,
  encodeCursor,
  isReviewed,
  mayReview,
  pageOfReviews,
  reviewCreated,
  type NewReview,
  type Review,
  type ReviewLog,
} from './domain/reviews';
import {
  deleteRoom,
  isLive,
  modifyRoom,
  registerRoom,
  roomDeleted,
  roomModified,
  roomRegistered,
  type NewRoom,
  type Room,
  type RoomPatch,
  type RoomRecord,
} from './domain/room';

/** What a hold remembers of the room when it was made (so `reservation` needs no other call). */
export interface RoomSnapshot {
  pricePerNight: number;
  currency: string;
  roomName: string;
  city: string;
  hostId: string;
}

/** The internal `Hold` of docs/contracts.md. */
export interface Hold {
  roomId: string;
  reservationId: string;
  guestId: string;
  checkIn: string;
  checkOut: string;
  nights: number;
  status: 'held' | 'booked';
  expiresAt: string | null;
  pricePerNight: number;
  currency: string;
  roomName: string;
  city: string;
  hostId: string;
}

export interface ServiceDeps {
  state: StatePort;
  logger: Logger;
  holdTtlSeconds: number;
  writeAttempts: number;
  clock?: () => Date;
  newId?: (prefix: string) => string;
}

const roomNotFound = () => notFound('ROOM_NOT_FOUND', 'No such room.');
const roomUnavailable = (reason: string) => conflict('ROOM_UNAVAILABLE', `The room is not available for these dates: ${reason}.`);
const notTheHost = () => 'Only the host of this room may change or delete it.';
const reviewNotAllowed = () =>
  new ApiError(
    403,
    'REVIEW_NOT_ALLOWED',
    'Only the guest of a confirmed reservation of this room may review it (with that reservationId).',
  );
const alreadyReviewed = () => conflict('ALREADY_REVIEWED', 'This reservation has been reviewed already.');

export const randomId = (prefix: string): string => `${prefix}_${randomBytes(10).toString('hex')}`;

const toHold = (roomId: string, entry: StayCalendarEntry<RoomSnapshot>): Hold => ({
  roomId,
  reservationId: entry.reservationId,
  guestId: entry.guestId,
  checkIn: entry.checkIn,
  checkOut: entry.checkOut,
  nights: nightsOf(entry),
  status: entry.status === 'booked' ? 'booked' : 'held',
  expiresAt: entry.status === 'booked' ? null : entry.expiresAt,
  ...entry.snapshot,
});

const snapshotOf = (room: Room): RoomSnapshot => ({
  pricePerNight: room.pricePerNight,
  currency: room.currency,
  roomName: room.name,
  city: room.city,
  hostId: room.hostId,
});

/** A cancellation of a room this service does not know still leaves its tombstone. */
const UNKNOWN_ROOM: RoomSnapshot = { pricePerNight: 0, currency: '', roomName: '', city: '', hostId: '' };

const ROOM_CALENDAR: BookableKind<RoomSnapshot, Hold> = {
  noun: 'room',
  unit: 'nights',
  calendarKey: keys.calendar,
  notFound: roomNotFound,
  unavailable: roomUnavailable,
  hasReservations: (count) =>
    conflict(
      'ROOM_HAS_RESERVATIONS',
      `The room has ${count} upcoming reservation(s) (confirmed, or being confirmed right now); it cannot be deleted.`,
    ),
  toHold,
};

/**
 * The room's use cases over the state store. Every write is first-write-wins with the ETag just
 * read; a lost race re-reads and re-decides (bounded, jittered), then 503 TRY_LATER.
 */
export class RoomService {
  private readonly now: () => Date;
  private readonly newId: (prefix: string) => string;
  private readonly calendar: BookableCalendar<RoomSnapshot, Hold>;

  constructor(private readonly deps: ServiceDeps) {
    this.now = deps.clock ?? (() => new Date());
    this.newId = deps.newId ?? randomId;
    this.calendar = new BookableCalendar(ROOM_CALENDAR, { ...deps, now: this.now });
  }

  private retry<T>(attempt: () => Promise<T>): Promise<T> {
    return retryOnConflict(attempt, { attempts: this.deps.writeAttempts });
  }

  private async publishWrite(key: string, value: unknown, etag: string | undefined, event: DomainEvent): Promise<void> {
    await this.deps.state.saveWithEvent({ key, value, etag }, event);
  }

  // ---- rooms ---------------------------------------------------------------------------------

  async register(input: NewRoom): Promise<Room> {
    const now = this.now();
    const record = registerRoom(this.newId('room'), input, now);
    await this.publishWrite(keys.room(record.room.id), record, undefined, roomRegistered(record, now));
    return record.room;
  }

  private async readRoom(roomId: string) {
    return this.deps.state.getState<RoomRecord>(keys.room(roomId));
  }

  async get(roomId: string): Promise<Room> {
    const stored = await this.readRoom(roomId);
    if (!isLive(stored?.value)) throw roomNotFound();
    return stored.value.room;
  }

  /**
   * Only the host changes a room (403 for anyone else). Concurrent patches of different fields all
   * survive: each re-applies its own fields on the latest room.
   */
  async modify(roomId: string, patch: RoomPatch, caller: Caller): Promise<Room> {
    return this.retry(async () => {
      const stored = await this.readRoom(roomId);
      if (!stored || !isLive(stored.value)) throw roomNotFound();
      assertOwner(caller, stored.value.room.hostId, notTheHost());
      const now = this.now();
      const next = modifyRoom(stored.value, patch, now);
      await this.publishWrite(keys.room(roomId), next, stored.etag, roomModified(next, now));
      return next.room;
    });
  }

  /**
   * Only by the host (403 for anyone else); refused while confirmed stays lie ahead. The calendar is
   * closed first (ETag-guarded), so a hold or confirm racing with the delete either lands before
   * (and is seen) or is refused.
   */
  async remove(roomId: string, caller: Caller): Promise<void> {
    const first = await this.readRoom(roomId);
    if (!isLive(first?.value)) throw roomNotFound();
    assertOwner(caller, first.value.room.hostId, notTheHost());
    await this.calendar.closeForDelete(roomId);
    await this.retry(async () => {
      const stored = await this.readRoom(roomId);
      if (!stored || !isLive(stored.value)) throw roomNotFound();
      const now = this.now();
      const next = deleteRoom(stored.value, now);
      await this.publishWrite(keys.room(roomId), next, stored.etag, roomDeleted(next, now));
    });
  }

  // ---- calendar (the saga's holds, the Reservation* events) --------------------------------------

  /** For a stay a guest could book (the same rule as POST /reservations: 400 otherwise). */
  async availability(roomId: string, range: { checkIn: string; checkOut: string }): Promise<boolean> {
    assertBookableStay(range, this.now());
    await this.get(roomId);
    return this.calendar.isAvailable(roomId, range);
  }

  async hold(roomId: string, request: StayRequest): Promise<{ hold: Hold; created: boolean }> {
    const room = await this.get(roomId);
    return this.calendar.hold(roomId, request, snapshotOf(room));
  }

  releaseHold(roomId: string, reservationId: string): Promise<void> {
    return this.calendar.releaseHold(roomId, reservationId);
  }

  confirmHold(roomId: string, reservationId: string): Promise<Hold> {
    return this.calendar.confirmHold(roomId, reservationId);
  }

  /** ReservationConfirmed: hold → booked; an expired hold (or none) books the nights if still free. */
  async bookConfirmed(roomId: string, request: StayRequest): Promise<void> {
    const stored = await this.readRoom(roomId);
    await this.calendar.bookConfirmed(roomId, request, stored ? snapshotOf(stored.value.room) : undefined);
  }

  /** ReservationCancelled: frees the nights and leaves a tombstone (also when it arrives first). */
  async cancelReservation(roomId: string, request: StayRequest): Promise<void> {
    const stored = await this.readRoom(roomId);
    await this.calendar.cancelReservation(roomId, request, stored ? snapshotOf(stored.value.room) : UNKNOWN_ROOM);
  }

  // ---- reviews -------------------------------------------------------------------------------

  /**
   * A review by the guest of a reservation the room's calendar holds as booked for that guest (else
   * 403 REVIEW_NOT_ALLOWED), once per reservation (409 ALREADY_REVIEWED). The calendar learns
   * "booked" from ReservationConfirmed, so right after the reservation's 201 this may be 403 for the
   * event's delay. One review per reservation holds under races: every review of the room is one
   * ETag-guarded value, so of two racing writes one loses, re-reads and finds the other.
   */
  async addReview(roomId: string, input: NewReview): Promise<Review> {
    await this.get(roomId);
    if (!mayReview(await this.calendar.entry(roomId, input.reservationId), input.guestId)) throw reviewNotAllowed();
    const id = this.newId('rev');
    return this.retry(async () => {
      const stored = await this.deps.state.getState<ReviewLog>(keys.reviews(roomId));
      if (stored && isReviewed(stored.value, input.reservationId)) throw alreadyReviewed();
      const now = this.now();
      const { log, review } = addReview(stored?.value ?? emptyReviewLog(), roomId, id, input, now);
      await this.publishWrite(keys.reviews(roomId), log, stored?.etag, reviewCreated(log, review, now));
      return review;
    });
  }

  async listReviews(roomId: string, limit: number, cursor?: string): Promise<{ items: Review[]; nextCursor: string | null }> {
    let fromSeq: number | undefined;
    if (cursor !== undefined) {
      fromSeq = decodeCursor(cursor);
      if (fromSeq === undefined)
        throw validationFailed([{ field: 'cursor', reason: 'is not a cursor this list gave out' }], 'The query string is not valid.');
    }
    await this.get(roomId);
    const stored = await this.deps.state.getState<ReviewLog>(keys.reviews(roomId));
    const page = pageOfReviews(stored?.value ?? emptyReviewLog(), limit, fromSeq);
    return { items: page.items, nextCursor: page.nextSeq === null ? null : encodeCursor(page.nextSeq) };
  }
}
