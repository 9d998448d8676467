import type { CancellationPolicy, Change, DomainEvent } from '@staycar/common';
import type { IdempotencyRecord, Outcome } from './domain/idempotency';
import type { Reservation, StoredReservation } from './domain/reservation';
import type { SagaRecord } from './domain/saga';

/**
 * What the reservation use cases need from the outside. The implementations live in ./adapters
 * (state through @staycar/common's StatePort, the other services through Dapr invocation); unit
 * tests use them over MemoryStatePort, and small in-test objects for the services called.
 * Every port fails with DomainErrors only: a callee's refusal as the DomainError of its kind (it
 * held or charged nothing), anything else as TRY_LATER (`unavailable`: the outcome is unknown).
 */

export interface HoldRequest {
  reservationId: string;
  guestId: string;
  checkIn: string;
  checkOut: string;
}

/** The part of room's Hold answer the saga uses (docs/contracts.md). */
export interface RoomHold {
  roomId: string;
  reservationId: string;
  nights: number;
  pricePerNight: number;
  currency: string;
  roomName: string;
  city: string;
  /** The room's cancellation terms now (a room service from before issue 18 sends none: the defaults). */
  cancellationPolicy?: CancellationPolicy;
  timeZone?: string;
}

/** The part of rentcar's Hold answer the saga uses. */
export interface CarHold {
  carId: string;
  reservationId: string;
  nights: number;
  pricePerDay: number;
  currency: string;
}

export interface RoomCalendar {
  hold(roomId: string, request: HoldRequest): Promise<RoomHold>;
  /** Idempotent: releasing a hold that does not exist is fine. */
  release(roomId: string, reservationId: string): Promise<void>;
}

export interface CarCalendar {
  hold(carId: string, request: HoldRequest): Promise<CarHold>;
  release(carId: string, reservationId: string): Promise<void>;
}

export interface ApproveRequest {
  reservationId: string;
  guestId: string;
  amount: number;
  currency: string;
  method?: string;
  token?: string;
}

export interface ApprovedPayment {
  id: string;
  reservationId: string;
  status: string;
}

export interface PaymentGateway {
  /** Keyed by reservation id: a second approve for the same reservation never charges twice. */
  approve(request: ApproveRequest): Promise<ApprovedPayment>;
  /** Refunds the reservation's payment (idempotent); fine when there is none. */
  refund(reservationId: string): Promise<void>;
}

export interface ReservationRepository {
  get(id: string): Promise<StoredReservation | undefined>;
  /** In the order of `ids`; ids without a reservation are left out. */
  getMany(ids: string[]): Promise<StoredReservation[]>;
  /** Create-only, with its event through the outbox (one transaction). */
  insert(stored: StoredReservation, event: DomainEvent): Promise<void>;
  /** Read, decide (pure; may run again after a lost race), write with the decided event. */
  change<R>(id: string, decide: (current: StoredReservation | undefined) => Change<StoredReservation, R>): Promise<R>;
}

export interface GuestIndex {
  /** Appends (idempotent: an id already there is not added again). */
  add(guestId: string, reservationId: string): Promise<void>;
  /**
   * Lists a stored reservation for its guest and under its checkout day (where the stays-end job
   * finds it): one read and one write of both lists, each idempotent.
   */
  listStored(reservation: Pick<Reservation, 'id' | 'guestId' | 'checkOut'>): Promise<void>;
  /** The guest's reservation ids, oldest first. */
  ids(guestId: string): Promise<string[]>;
}

export interface IdempotencyStore {
  /** Insert-if-absent: true when this call created the record, false when one already existed. */
  create(key: string, record: IdempotencyRecord): Promise<boolean>;
  get(key: string): Promise<IdempotencyRecord | undefined>;
  /** Replaces the pending record with the first request's refusal (a success is answered by its reservation). */
  complete(key: string, record: IdempotencyRecord & { outcome: Outcome }): Promise<void>;
  remove(key: string): Promise<void>;
}

/** Where an in-flight record is stored: made by `SagaLog.begin` or `list`, taken by `end` (opaque to the use cases). */
export interface InFlightMark {
  readonly key: string;
  /** Known when the record was read (recovery): its removal is then guarded by it. */
  readonly etag?: string;
  /** A record of the index kept before the slots: the index shard that lists it. */
  readonly legacyShard?: number;
}

/** A saga's in-flight record and where it is stored. */
export interface InFlight {
  record: SagaRecord;
  mark: InFlightMark;
}

export interface SagaLog {
  /** Stores the record where recovery finds it (before anything is held): one create-only write. */
  begin(record: SagaRecord): Promise<InFlight>;
  /** Drops the record: the saga's reservation is stored, or what it did is undone. */
  end(inFlight: InFlight): Promise<void>;
  /** Every in-flight record (a bounded set of keys read at once: no index to keep, no scan). */
  list(): Promise<InFlight[]>;
}

/** The last checkout day the stays-end job has settled, and the token that guards moving it. */
export interface Watermark {
  day: string;
  readonly etag: string;
}

/** Reservations by checkout day (written by `GuestIndex.listStored`), read by the stays-end job. */
export interface StayEndIndex {
  /** The reservation ids listed under each of `days` (one bulk read; a day without any is absent). */
  read(days: string[]): Promise<Map<string, string[]>>;
  watermark(): Promise<Watermark | undefined>;
  /** Moves the watermark to `day` if it is still `from` (create-only when there was none); false if another run moved it. */
  advance(day: string, from: Watermark | undefined): Promise<boolean>;
}

/** How a saga ended, as its client was answered: confirmed, refused (a callee's 4xx), or TRY_LATER. */
export type SagaOutcome = 'confirmed' | 'refused' | 'try_later';

/**
 * What the use cases tell the operators (adapters/metrics.ts: Prometheus counters). Every method
 * is a count, never a decision: an implementation that does nothing changes no behaviour.
 */
export interface ReservationMetrics {
  /** A saga ran to its end; `reason` is the error code it answered (`none` when confirmed). */
  sagaEnded(outcome: SagaOutcome, reason: string): void;
  /** A saga's holds or payment were undone: by the saga itself or by the recovery sweep; `incomplete` is left to the sweep. */
  compensated(by: 'saga' | 'recovery', result: 'complete' | 'incomplete'): void;
  /** A request with a known Idempotency-Key was answered without a saga: `replayed` (the first answer), or the error code. */
  idempotentReplay(result: string): void;
}
