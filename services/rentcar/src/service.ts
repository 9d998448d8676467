import { randomBytes } from 'node:crypto';
import { conflict, nightsOf, notFound, retryOnConflict, writeWithEvent, type DomainEvent, type Logger } from '@staycar/common';
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
import {
  deleteCar,
  isLive,
  modifyCar,
  registerCar,
  rentcarDeleted,
  rentcarModified,
  rentcarRegistered,
  rentcarReleased,
  rentcarReserved,
  type Car,
  type CarPatch,
  type CarRecord,
  type NewCar,
} from './domain/car';

/** What a hold remembers of the car when it was made (so `reservation` needs no other call). */
export interface CarSnapshot {
  pricePerDay: number;
  currency: string;
  model: string;
  city: string;
  hostId: string;
}

export type CarCalendar = Calendar<CarSnapshot>;

/** The internal `Hold` of docs/contracts.md (rentcar: carId, pricePerDay, model, city). Days = nights. */
export interface Hold {
  carId: string;
  reservationId: string;
  guestId: string;
  checkIn: string;
  checkOut: string;
  nights: number;
  status: 'held' | 'booked';
  expiresAt: string | null;
  pricePerDay: number;
  currency: string;
  model: string;
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

const carNotFound = () => notFound('CAR_NOT_FOUND', 'No such car.');
const carUnavailable = (reason: string) => conflict('CAR_UNAVAILABLE', `The car is not available for these dates: ${reason}.`);

export const randomId = (prefix: string): string => `${prefix}_${randomBytes(10).toString('hex')}`;

const toHold = (carId: string, entry: CalendarEntry<CarSnapshot>): Hold => ({
  carId,
  reservationId: entry.reservationId,
  guestId: entry.guestId,
  checkIn: entry.checkIn,
  checkOut: entry.checkOut,
  nights: nightsOf(entry),
  status: entry.status === 'booked' ? 'booked' : 'held',
  expiresAt: entry.status === 'booked' ? null : entry.expiresAt,
  ...entry.snapshot,
});

const snapshotOf = (car: Car): CarSnapshot => ({ pricePerDay: car.pricePerDay, currency: car.currency, model: car.model, city: car.city, hostId: car.hostId });

const stayOf = (carId: string, entry: CalendarEntry<CarSnapshot>) => ({
  carId,
  reservationId: entry.reservationId,
  guestId: entry.guestId,
  checkIn: entry.checkIn,
  checkOut: entry.checkOut,
});

/** A decision on the calendar: what to answer, what (if anything) to write, and the event of that write. */
interface CalendarStep<T> {
  result: T;
  next?: CarCalendar;
  event?: DomainEvent;
}

/**
 * The car's use cases over the state store. Every write is first-write-wins with the ETag just
 * read; a lost race re-reads and re-decides (bounded, jittered), then 503 TRY_LATER.
 */
export class CarService {
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

  // ---- cars ----------------------------------------------------------------------------------

  async register(input: NewCar): Promise<Car> {
    const now = this.now();
    const record = registerCar(this.newId('car'), input, now);
    await this.publishWrite(keys.car(record.car.id), record, undefined, rentcarRegistered(record, now));
    return record.car;
  }

  private readCar(carId: string) {
    return this.deps.state.getState<CarRecord>(keys.car(carId));
  }

  async get(carId: string): Promise<Car> {
    const stored = await this.readCar(carId);
    if (!isLive(stored?.value)) throw carNotFound();
    return stored.value.car;
  }

  /** Concurrent patches of different fields all survive: each re-applies its own fields on the latest car. */
  async modify(carId: string, patch: CarPatch): Promise<Car> {
    return this.retry(async () => {
      const stored = await this.readCar(carId);
      if (!stored || !isLive(stored.value)) throw carNotFound();
      const now = this.now();
      const next = modifyCar(stored.value, patch, now);
      await this.publishWrite(keys.car(carId), next, stored.etag, rentcarModified(next, now));
      return next.car;
    });
  }

  /** Refused while confirmed rentals lie ahead; the calendar is closed first so racing holds are refused. */
  async remove(carId: string): Promise<void> {
    const first = await this.readCar(carId);
    if (!isLive(first?.value)) throw carNotFound();
    await this.changeCalendar(carId, (calendar, now): CalendarStep<void> => {
      const upcoming = upcomingBookings(calendar, now);
      if (upcoming.length > 0) {
        throw conflict('CAR_HAS_RESERVATIONS', `The car has ${upcoming.length} upcoming confirmed reservation(s); it cannot be deleted.`);
      }
      return { result: undefined, next: calendar.closed ? undefined : close(calendar, now) };
    });
    await this.retry(async () => {
      const stored = await this.readCar(carId);
      if (!stored || !isLive(stored.value)) throw carNotFound();
      const now = this.now();
      const next = deleteCar(stored.value, now);
      await this.publishWrite(keys.car(carId), next, stored.etag, rentcarDeleted(next, now));
    });
  }

  // ---- calendar ------------------------------------------------------------------------------

  /** Plain save when nothing is to be told; with an event, one transaction (calendar + outbox). */
  private async changeCalendar<T>(carId: string, decide: (calendar: CarCalendar, now: Date) => CalendarStep<T>): Promise<T> {
    return this.retry(async () => {
      const key = keys.calendar(carId);
      const stored = await this.deps.state.getState<CarCalendar>(key);
      const now = this.now();
      const step = decide(stored?.value ?? emptyCalendar<CarSnapshot>(), now);
      if (step.next && step.event) await this.publishWrite(key, step.next, stored?.etag, step.event);
      else if (step.next) await this.deps.state.saveState({ key, value: step.next, etag: stored?.etag });
      return step.result;
    });
  }

  async availability(carId: string, range: { checkIn: string; checkOut: string }): Promise<boolean> {
    await this.get(carId);
    const stored = await this.deps.state.getState<CarCalendar>(keys.calendar(carId));
    return isAvailable(stored?.value ?? emptyCalendar(), range, this.now());
  }

  async hold(carId: string, request: StayRequest): Promise<{ hold: Hold; created: boolean }> {
    const car = await this.get(carId);
    return this.changeCalendar<{ hold: Hold; created: boolean }>(carId, (calendar, now) => {
      const outcome = placeHold(calendar, request, snapshotOf(car), now, this.deps.holdTtlSeconds);
      switch (outcome.kind) {
        case 'created':
          return { result: { hold: toHold(carId, outcome.entry), created: true }, next: outcome.calendar };
        case 'existing':
          return { result: { hold: toHold(carId, outcome.entry), created: false } };
        case 'closed':
          throw carNotFound();
        case 'unavailable':
          throw carUnavailable(outcome.reason);
      }
    });
  }

  async releaseHold(carId: string, reservationId: string): Promise<void> {
    await this.changeCalendar(carId, (calendar, now) => ({ result: undefined, next: releaseHold(calendar, reservationId, now) }));
  }

  /** Hold → booked, publishing RentcarReserved with that write (once: repeating finds it booked). */
  async confirmHold(carId: string, reservationId: string): Promise<Hold> {
    return this.changeCalendar(carId, (calendar, now) => {
      const outcome = book(calendar, reservationId, now);
      switch (outcome.kind) {
        case 'booked':
          return { result: toHold(carId, outcome.entry), next: outcome.calendar, event: rentcarReserved(stayOf(carId, outcome.entry), now) };
        case 'already':
          return { result: toHold(carId, outcome.entry) };
        case 'missing':
          throw notFound('NOT_FOUND', 'This reservation holds no days of this car.');
        case 'closed':
          throw carNotFound();
        case 'cancelled':
          throw carUnavailable('this reservation was cancelled');
        case 'unavailable':
          throw carUnavailable('the hold expired and the dates were taken since');
      }
    });
  }

  // ---- events consumed (idempotent, order-tolerant) ------------------------------------------

  /** ReservationConfirmed with this car: hold → booked + RentcarReserved (exactly once per reservation). */
  async bookConfirmed(carId: string, request: StayRequest): Promise<void> {
    const stored = await this.readCar(carId);
    if (!stored) {
      this.deps.logger.warn({ carId, reservationId: request.reservationId }, 'confirmed reservation of an unknown car; ignored');
      return;
    }
    const snapshot = snapshotOf(stored.value.car);
    await this.changeCalendar(carId, (calendar, now) => {
      const outcome = book(calendar, request.reservationId, now, { request, snapshot });
      if (outcome.kind === 'booked') {
        return { result: undefined, next: outcome.calendar, event: rentcarReserved(stayOf(carId, outcome.entry), now) };
      }
      if (outcome.kind === 'unavailable' || outcome.kind === 'closed') {
        this.deps.logger.error(
          { carId, reservationId: request.reservationId, conflictWith: outcome.kind === 'unavailable' ? outcome.conflict.reservationId : 'car deleted' },
          'confirmed reservation cannot be booked: its days are taken or the car is gone',
        );
      }
      return { result: undefined };
    });
  }

  /** ReservationCancelled with this car: frees the days, leaves a tombstone, RentcarReleased once. */
  async cancelReservation(carId: string, request: StayRequest): Promise<void> {
    const stored = await this.readCar(carId);
    const snapshot: CarSnapshot = stored ? snapshotOf(stored.value.car) : { pricePerDay: 0, currency: '', model: '', city: '', hostId: '' };
    await this.changeCalendar(carId, (calendar, now) => {
      const outcome = cancel(calendar, request, snapshot, now);
      if (outcome.kind === 'already') return { result: undefined };
      return { result: undefined, next: outcome.calendar, event: rentcarReleased({ carId, ...request }, now) };
    });
  }
}
