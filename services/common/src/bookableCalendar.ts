import type { Logger } from './logger';
import type { DomainError } from './errors';
import { notFound } from './errors';
import { changeState, keep, put } from './state/changeState';
import type { DomainEvent, StatePort } from './state/port';
import {
  book,
  cancel,
  close,
  emptyCalendar,
  entryOf,
  isAvailable,
  placeHold,
  releaseHold,
  upcomingStays,
  type Calendar,
  type CalendarEntry,
  type StayRequest,
} from './stayCalendar';

/** What a bookable resource (a room, a car) tells the calendar about itself. */
export interface BookableKind<S, H> {
  /** `room`, `car`: used in log lines. */
  noun: string;
  /** `nights`, `days`: used in error messages. */
  unit: string;
  calendarKey: (id: string) => string;
  notFound: () => DomainError;
  unavailable: (reason: string) => DomainError;
  /** The 409 of a delete while `count` stays lie ahead (confirmed, or held by a saga that may confirm). */
  hasReservations: (count: number) => DomainError;
  toHold: (id: string, entry: CalendarEntry<S>) => H;
  /** Events published with the calendar write (cars tell the world; rooms do not). */
  events?: {
    booked: (id: string, entry: CalendarEntry<S>, now: Date) => DomainEvent;
    released: (id: string, request: StayRequest, now: Date) => DomainEvent;
  };
}

export interface BookableDeps {
  state: StatePort;
  logger: Logger;
  holdTtlSeconds: number;
  writeAttempts: number;
  now: () => Date;
}

/** A decision on the calendar: what to answer, what (if anything) to write, and the event of that write. */
interface CalendarStep<S, T> {
  result: T;
  next?: Calendar<S>;
  event?: DomainEvent;
}

/**
 * The stay calendar of one kind of resource in the state store: one ETag-guarded key per
 * resource; a lost race re-reads and re-decides (bounded), then 503 TRY_LATER. Holds, their
 * confirmation and release (the saga's internal routes), the Reservation* events consumed, and
 * closing the calendar before a delete. Rooms and cars differ only in their `BookableKind`.
 */
export class BookableCalendar<S, H> {
  constructor(
    private readonly kind: BookableKind<S, H>,
    private readonly deps: BookableDeps,
  ) {}

  /** Plain save when nothing is to be told; with an event, one transaction (calendar + outbox). */
  private change<T>(id: string, decide: (calendar: Calendar<S>, now: Date) => CalendarStep<S, T>): Promise<T> {
    const { state, writeAttempts, now } = this.deps;
    return changeState<Calendar<S>, T>(
      state,
      this.kind.calendarKey(id),
      (stored) => {
        const step = decide(stored?.value ?? emptyCalendar<S>(), now());
        return step.next ? put(step.next, step.result, { event: step.event }) : keep(step.result);
      },
      { attempts: writeAttempts },
    );
  }

  async isAvailable(id: string, range: { checkIn: string; checkOut: string }): Promise<boolean> {
    const stored = await this.deps.state.getState<Calendar<S>>(this.kind.calendarKey(id));
    return isAvailable(stored?.value ?? emptyCalendar<S>(), range, this.deps.now());
  }

  /** The calendar's entry of this reservation (held, booked or cancelled), if it has one. */
  async entry(id: string, reservationId: string): Promise<CalendarEntry<S> | undefined> {
    const stored = await this.deps.state.getState<Calendar<S>>(this.kind.calendarKey(id));
    return stored ? entryOf(stored.value, reservationId) : undefined;
  }

  /**
   * Refuses while stays lie ahead (confirmed or held), else closes the calendar (ETag-guarded), so a hold or
   * confirm racing with the delete either lands before (and is seen) or is refused.
   */
  async closeForDelete(id: string): Promise<void> {
    await this.change(id, (calendar, now): CalendarStep<S, void> => {
      const upcoming = upcomingStays(calendar, now);
      if (upcoming.length > 0) throw this.kind.hasReservations(upcoming.length);
      return { result: undefined, next: calendar.closed ? undefined : close(calendar, now) };
    });
  }

  async hold(id: string, request: StayRequest, snapshot: S): Promise<{ hold: H; created: boolean }> {
    return this.change<{ hold: H; created: boolean }>(id, (calendar, now) => {
      const outcome = placeHold(calendar, request, snapshot, now, this.deps.holdTtlSeconds);
      switch (outcome.kind) {
        case 'created':
          return { result: { hold: this.kind.toHold(id, outcome.entry), created: true }, next: outcome.calendar };
        case 'existing':
          return { result: { hold: this.kind.toHold(id, outcome.entry), created: false } };
        case 'closed':
          throw this.kind.notFound();
        case 'unavailable':
          throw this.kind.unavailable(outcome.reason);
      }
    });
  }

  async releaseHold(id: string, reservationId: string): Promise<void> {
    await this.change(id, (calendar, now) => ({ result: undefined, next: releaseHold(calendar, reservationId, now) }));
  }

  /** Hold → booked (with the kind's `booked` event, once: repeating finds it booked). */
  async confirmHold(id: string, reservationId: string): Promise<H> {
    return this.change(id, (calendar, now) => {
      const outcome = book(calendar, reservationId, now);
      switch (outcome.kind) {
        case 'booked':
          return {
            result: this.kind.toHold(id, outcome.entry),
            next: outcome.calendar,
            event: this.kind.events?.booked(id, outcome.entry, now),
          };
        case 'already':
          return { result: this.kind.toHold(id, outcome.entry) };
        case 'missing':
          throw notFound('NOT_FOUND', `This reservation holds no ${this.kind.unit} of this ${this.kind.noun}.`);
        case 'closed':
          throw this.kind.notFound();
        case 'cancelled':
          throw this.kind.unavailable('this reservation was cancelled');
        case 'unavailable':
          throw this.kind.unavailable('the hold expired and the dates were taken since');
      }
    });
  }

  /**
   * ReservationConfirmed (idempotent, order-tolerant): hold → booked; an expired hold (or none)
   * books the stay if still free. `snapshot` undefined: the resource is unknown, nothing to book.
   */
  async bookConfirmed(id: string, request: StayRequest, snapshot: S | undefined): Promise<void> {
    const { logger } = this.deps;
    if (snapshot === undefined) {
      logger.warn(
        { [`${this.kind.noun}Id`]: id, reservationId: request.reservationId },
        `confirmed reservation of an unknown ${this.kind.noun}; ignored`,
      );
      return;
    }
    await this.change(id, (calendar, now) => {
      const outcome = book(calendar, request.reservationId, now, { request, snapshot });
      if (outcome.kind === 'booked')
        return { result: undefined, next: outcome.calendar, event: this.kind.events?.booked(id, outcome.entry, now) };
      if (outcome.kind === 'unavailable' || outcome.kind === 'closed') {
        logger.error(
          {
            [`${this.kind.noun}Id`]: id,
            reservationId: request.reservationId,
            conflictWith: outcome.kind === 'unavailable' ? outcome.conflict.reservationId : `${this.kind.noun} deleted`,
          },
          `confirmed reservation cannot be booked: its ${this.kind.unit} are taken or the ${this.kind.noun} is gone`,
        );
      }
      return { result: undefined };
    });
  }

  /** ReservationCancelled: frees the stay and leaves a tombstone (also when it arrives first), with the `released` event once. */
  async cancelReservation(id: string, request: StayRequest, snapshot: S): Promise<void> {
    await this.change(id, (calendar, now) => {
      const outcome = cancel(calendar, request, snapshot, now);
      if (outcome.kind === 'already') return { result: undefined };
      return { result: undefined, next: outcome.calendar, event: this.kind.events?.released(id, request, now) };
    });
  }
}
