import { randomBytes } from 'node:crypto';
import {
  assertBookableStay,
  assertOwner,
  BookableCalendar,
  conflict,
  nightsOf,
  notFound,
  retryOnConflict,
  type BookableKind,
  type Caller,
  type StayCalendarEntry,
  type StayRequest,
  type DomainEvent,
  type Logger,
} from '@staycar/common';
import { keys, type StatePort } from './adapters/state';
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
const NOT_THE_HOST = 'Only the host of this car may change or delete it.';
const carUnavailable = (reason: string) => conflict('CAR_UNAVAILABLE', `The car is not available for these dates: ${reason}.`);

export const randomId = (prefix: string): string => `${prefix}_${randomBytes(10).toString('hex')}`;

const toHold = (carId: string, entry: StayCalendarEntry<CarSnapshot>): Hold => ({
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

const snapshotOf = (car: Car): CarSnapshot => ({
  pricePerDay: car.pricePerDay,
  currency: car.currency,
  model: car.model,
  city: car.city,
  hostId: car.hostId,
});

const stayOf = (carId: string, entry: StayCalendarEntry<CarSnapshot>) => ({
  carId,
  reservationId: entry.reservationId,
  guestId: entry.guestId,
  checkIn: entry.checkIn,
  checkOut: entry.checkOut,
});

/** A cancellation of a car this service does not know still leaves its tombstone. */
const UNKNOWN_CAR: CarSnapshot = { pricePerDay: 0, currency: '', model: '', city: '', hostId: '' };

const CAR_CALENDAR: BookableKind<CarSnapshot, Hold> = {
  noun: 'car',
  unit: 'days',
  calendarKey: keys.calendar,
  notFound: carNotFound,
  unavailable: carUnavailable,
  hasReservations: (count) =>
    conflict(
      'CAR_HAS_RESERVATIONS',
      `The car has ${count} upcoming reservation(s) (confirmed, or being confirmed right now); it cannot be deleted.`,
    ),
  toHold,
  events: {
    booked: (carId, entry, now) => rentcarReserved(stayOf(carId, entry), now),
    released: (carId, request, now) => rentcarReleased({ carId, ...request }, now),
  },
};

/**
 * The car's use cases over the state store. Every write is first-write-wins with the ETag just
 * read; a lost race re-reads and re-decides (bounded, jittered), then 503 TRY_LATER.
 */
export class CarService {
  private readonly now: () => Date;
  private readonly newId: (prefix: string) => string;

  private readonly calendar: BookableCalendar<CarSnapshot, Hold>;

  constructor(private readonly deps: ServiceDeps) {
    this.now = deps.clock ?? (() => new Date());
    this.newId = deps.newId ?? randomId;
    this.calendar = new BookableCalendar(CAR_CALENDAR, { ...deps, now: this.now });
  }

  private retry<T>(attempt: () => Promise<T>): Promise<T> {
    return retryOnConflict(attempt, { attempts: this.deps.writeAttempts });
  }

  private async publishWrite(key: string, value: unknown, etag: string | undefined, event: DomainEvent): Promise<void> {
    await this.deps.state.saveWithEvent({ key, value, etag }, event);
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

  /** Only the host (403 for anyone else). Concurrent patches of different fields all survive: each re-applies its own fields on the latest car. */
  async modify(carId: string, patch: CarPatch, caller: Caller): Promise<Car> {
    return this.retry(async () => {
      const stored = await this.readCar(carId);
      if (!stored || !isLive(stored.value)) throw carNotFound();
      assertOwner(caller, stored.value.car.hostId, NOT_THE_HOST);
      const now = this.now();
      const next = modifyCar(stored.value, patch, now);
      await this.publishWrite(keys.car(carId), next, stored.etag, rentcarModified(next, now));
      return next.car;
    });
  }

  /** Only the host (403 for anyone else); refused while confirmed rentals lie ahead; the calendar is closed first so racing holds are refused. */
  async remove(carId: string, caller: Caller): Promise<void> {
    const first = await this.readCar(carId);
    if (!isLive(first?.value)) throw carNotFound();
    assertOwner(caller, first.value.car.hostId, NOT_THE_HOST);
    await this.calendar.closeForDelete(carId);
    await this.retry(async () => {
      const stored = await this.readCar(carId);
      if (!stored || !isLive(stored.value)) throw carNotFound();
      const now = this.now();
      const next = deleteCar(stored.value, now);
      await this.publishWrite(keys.car(carId), next, stored.etag, rentcarDeleted(next, now));
    });
  }

  // ---- calendar (the saga's holds, the Reservation* events) --------------------------------------

  /** For a stay a guest could book (the same rule as POST /reservations: 400 otherwise). */
  async availability(carId: string, range: { checkIn: string; checkOut: string }): Promise<boolean> {
    assertBookableStay(range, this.now());
    await this.get(carId);
    return this.calendar.isAvailable(carId, range);
  }

  async hold(carId: string, request: StayRequest): Promise<{ hold: Hold; created: boolean }> {
    const car = await this.get(carId);
    return this.calendar.hold(carId, request, snapshotOf(car));
  }

  releaseHold(carId: string, reservationId: string): Promise<void> {
    return this.calendar.releaseHold(carId, reservationId);
  }

  /** Hold → booked, publishing RentcarReserved with that write (once: repeating finds it booked). */
  confirmHold(carId: string, reservationId: string): Promise<Hold> {
    return this.calendar.confirmHold(carId, reservationId);
  }

  /** ReservationConfirmed with this car: hold → booked + RentcarReserved (exactly once per reservation). */
  async bookConfirmed(carId: string, request: StayRequest): Promise<void> {
    const stored = await this.readCar(carId);
    await this.calendar.bookConfirmed(carId, request, stored ? snapshotOf(stored.value.car) : undefined);
  }

  /** ReservationCancelled with this car: frees the days, leaves a tombstone, RentcarReleased once. */
  async cancelReservation(carId: string, request: StayRequest): Promise<void> {
    const stored = await this.readCar(carId);
    await this.calendar.cancelReservation(carId, request, stored ? snapshotOf(stored.value.car) : UNKNOWN_CAR);
  }
}
