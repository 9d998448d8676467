import { randomBytes } from 'node:crypto';
import {
  conflict,
  nightsOf,
  notFound,
  retryOnConflict,
  validationFailed,
  writeWithEvent,
  type DomainEvent,
  type Logger,
} from '@staycar/common';
import { keys, type StatePort } from './adapters/state';
import {
  book,
  cancel,
  close,
  emptyCalendar,
  isAvailable,
  placeHold,
  releaseHold,
  upcomingBookings,
  type Calendar,
  type CalendarEntry,
  type StayRequest,
} from './domain/calendar';
import { addReview, decodeCursor, emptyReviewLog, encodeCursor, pageOfReviews, reviewCreated, type NewReview, type Review, type ReviewLog } from './domain/reviews';
import { deleteRoom, isLive, modifyRoom, registerRoom, roomDeleted, roomModified, roomRegistered, type NewRoom, type Room, type RoomPatch, type RoomRecord } from './domain/room';

/** What a hold remembers of the room when it was made (so `reservation` needs no other call). */
export interface RoomSnapshot {
  pricePerNight: number;
  currency: string;
  roomName: string;
  city: string;
  hostId: string;
}

export type RoomCalendar = Calendar<RoomSnapshot>;

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

export const randomId = (prefix: string): string => `${prefix}_${randomBytes(10).toString('hex')}`;

const toHold = (roomId: string, entry: CalendarEntry<RoomSnapshot>): Hold => ({
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

/** A decision on the calendar: what to answer, and what (if anything) to write. */
interface CalendarStep<T> {
  result: T;
  next?: RoomCalendar;
}

/**
 * The room's use cases over the state store. Every write is first-write-wins with the ETag just
 * read; a lost race re-reads and re-decides (bounded, jittered), then 503 TRY_LATER.
 */
export class RoomService {
  private readonly now: () => Date;
  private readonly newId: (prefix: string) => string;

  constructor(private readonly deps: ServiceDeps) {
    this.now = deps.clock ?? (() => new Date());
    this.newId = deps.newId ?? randomId;
  }

  private retry<T>(attempt: () => Promise<T>): Promise<T> {
    return retryOnConflict(attempt, { attempts: this.deps.writeAttempts });
  }

  private async publishWrite(key: string, value: unknown, etag: string | undefined, event: DomainEvent): Promise<void> {
    await this.deps.state.transact(writeWithEvent({ key, value, etag }, event));
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

  /** Concurrent patches of different fields all survive: each re-applies its own fields on the latest room. */
  async modify(roomId: string, patch: RoomPatch): Promise<Room> {
    return this.retry(async () => {
      const stored = await this.readRoom(roomId);
      if (!stored || !isLive(stored.value)) throw roomNotFound();
      const now = this.now();
      const next = modifyRoom(stored.value, patch, now);
      await this.publishWrite(keys.room(roomId), next, stored.etag, roomModified(next, now));
      return next.room;
    });
  }

  /**
   * Refused while confirmed stays lie ahead. The calendar is closed first (ETag-guarded), so a
   * hold or confirm racing with the delete either lands before (and is seen) or is refused.
   */
  async remove(roomId: string): Promise<void> {
    const first = await this.readRoom(roomId);
    if (!isLive(first?.value)) throw roomNotFound();
    await this.changeCalendar(roomId, (calendar, now): CalendarStep<void> => {
      const upcoming = upcomingBookings(calendar, now);
      if (upcoming.length > 0) {
        throw conflict('ROOM_HAS_RESERVATIONS', `The room has ${upcoming.length} upcoming confirmed reservation(s); it cannot be deleted.`);
      }
      return { result: undefined, next: calendar.closed ? undefined : close(calendar, now) };
    });
    await this.retry(async () => {
      const stored = await this.readRoom(roomId);
      if (!stored || !isLive(stored.value)) throw roomNotFound();
      const now = this.now();
      const next = deleteRoom(stored.value, now);
      await this.publishWrite(keys.room(roomId), next, stored.etag, roomDeleted(next, now));
    });
  }

  // ---- calendar ------------------------------------------------------------------------------

  private async changeCalendar<T>(roomId: string, decide: (calendar: RoomCalendar, now: Date) => CalendarStep<T>): Promise<T> {
    return this.retry(async () => {
      const stored = await this.deps.state.getState<RoomCalendar>(keys.calendar(roomId));
      const now = this.now();
      const step = decide(stored?.value ?? emptyCalendar<RoomSnapshot>(), now);
      if (step.next) await this.deps.state.saveState({ key: keys.calendar(roomId), value: step.next, etag: stored?.etag });
      return step.result;
    });
  }

  async availability(roomId: string, range: { checkIn: string; checkOut: string }): Promise<boolean> {
    await this.get(roomId);
    const stored = await this.deps.state.getState<RoomCalendar>(keys.calendar(roomId));
    return isAvailable(stored?.value ?? emptyCalendar(), range, this.now());
  }

  async hold(roomId: string, request: StayRequest): Promise<{ hold: Hold; created: boolean }> {
    const room = await this.get(roomId);
    return this.changeCalendar<{ hold: Hold; created: boolean }>(roomId, (calendar, now) => {
      const outcome = placeHold(calendar, request, snapshotOf(room), now, this.deps.holdTtlSeconds);
      switch (outcome.kind) {
        case 'created':
          return { result: { hold: toHold(roomId, outcome.entry), created: true }, next: outcome.calendar };
        case 'existing':
          return { result: { hold: toHold(roomId, outcome.entry), created: false } };
        case 'closed':
          throw roomNotFound();
        case 'unavailable':
          throw roomUnavailable(outcome.reason);
      }
    });
  }

  async releaseHold(roomId: string, reservationId: string): Promise<void> {
    await this.changeCalendar(roomId, (calendar, now) => ({ result: undefined, next: releaseHold(calendar, reservationId, now) }));
  }

  async confirmHold(roomId: string, reservationId: string): Promise<Hold> {
    return this.changeCalendar(roomId, (calendar, now) => {
      const outcome = book(calendar, reservationId, now);
      switch (outcome.kind) {
        case 'booked':
          return { result: toHold(roomId, outcome.entry), next: outcome.calendar };
        case 'already':
          return { result: toHold(roomId, outcome.entry) };
        case 'missing':
          throw notFound('NOT_FOUND', 'This reservation holds no nights of this room.');
        case 'closed':
          throw roomNotFound();
        case 'cancelled':
          throw roomUnavailable('this reservation was cancelled');
        case 'unavailable':
          throw roomUnavailable('the hold expired and the dates were taken since');
      }
    });
  }

  // ---- events consumed (idempotent, order-tolerant) ------------------------------------------

  /** ReservationConfirmed: hold → booked; an expired hold (or none) books the nights if still free. */
  async bookConfirmed(roomId: string, request: StayRequest): Promise<void> {
    const stored = await this.readRoom(roomId);
    if (!stored) {
      this.deps.logger.warn({ roomId, reservationId: request.reservationId }, 'confirmed reservation of an unknown room; ignored');
      return;
    }
    const snapshot = snapshotOf(stored.value.room);
    await this.changeCalendar(roomId, (calendar, now) => {
      const outcome = book(calendar, request.reservationId, now, { request, snapshot });
      if (outcome.kind === 'booked') return { result: undefined, next: outcome.calendar };
      if (outcome.kind === 'unavailable' || outcome.kind === 'closed') {
        this.deps.logger.error(
          { roomId, reservationId: request.reservationId, conflictWith: outcome.kind === 'unavailable' ? outcome.conflict.reservationId : 'room deleted' },
          'confirmed reservation cannot be booked: its nights are taken or the room is gone',
        );
      }
      return { result: undefined };
    });
  }

  /** ReservationCancelled: frees the nights and leaves a tombstone (also when it arrives first). */
  async cancelReservation(roomId: string, request: StayRequest): Promise<void> {
    const stored = await this.readRoom(roomId);
    const snapshot: RoomSnapshot = stored
      ? snapshotOf(stored.value.room)
      : { pricePerNight: 0, currency: '', roomName: '', city: '', hostId: '' };
    await this.changeCalendar(roomId, (calendar, now) => {
      const outcome = cancel(calendar, request, snapshot, now);
      return { result: undefined, next: outcome.kind === 'cancelled' ? outcome.calendar : undefined };
    });
  }

  // ---- reviews -------------------------------------------------------------------------------

  async addReview(roomId: string, input: NewReview): Promise<Review> {
    await this.get(roomId);
    const id = this.newId('rev');
    return this.retry(async () => {
      const stored = await this.deps.state.getState<ReviewLog>(keys.reviews(roomId));
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
      if (fromSeq === undefined) throw validationFailed([{ field: 'cursor', reason: 'is not a cursor this list gave out' }], 'The query string is not valid.');
    }
    await this.get(roomId);
    const stored = await this.deps.state.getState<ReviewLog>(keys.reviews(roomId));
    const page = pageOfReviews(stored?.value ?? emptyReviewLog(), limit, fromSeq);
    return { items: page.items, nextCursor: page.nextSeq === null ? null : encodeCursor(page.nextSeq) };
  }
}

