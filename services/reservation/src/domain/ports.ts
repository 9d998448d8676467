import type { StoredReservation } from './reservation';

/**
 * What the reservation service needs from the outside, as small interfaces. The Dapr-backed
 * implementations live in ../adapters; unit tests use in-process ones. Callee failures are the
 * typed errors of @staycar/common: InvocationError (the callee answered non-2xx, with its API
 * error) and DependencyUnavailableError (it could not be reached in time).
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

export interface Versioned<T> {
  value: T;
  etag: string;
}

export interface ReservationRepository {
  get(id: string): Promise<Versioned<StoredReservation> | undefined>;
  /** In the order of `ids`; ids without a reservation are left out. */
  getMany(ids: string[]): Promise<StoredReservation[]>;
  /** Create-only, with its event through the outbox (one transaction). */
  insert(stored: StoredReservation, event: { type: string; data: object }): Promise<void>;
  /** Only if the stored one still has `etag` (else EtagConflictError), with its event. */
  update(stored: StoredReservation, etag: string, event: { type: string; data: object }): Promise<void>;
}

export interface GuestIndex {
  /** Appends (idempotent: an id already there is not added again). */
  add(guestId: string, reservationId: string): Promise<void>;
  /** The guest's reservation ids, oldest first. */
  ids(guestId: string): Promise<string[]>;
}

/** The stored answer of a request made with an Idempotency-Key. */
export interface IdempotencyRecord {
  fingerprint: string;
  reservationId: string;
  state: 'pending' | 'done';
  status?: number;
  body?: unknown;
  createdAt: string;
}

export interface IdempotencyStore {
  /** Insert-if-absent: true when this call created the record, false when one already existed. */
  create(key: string, record: IdempotencyRecord): Promise<boolean>;
  get(key: string): Promise<IdempotencyRecord | undefined>;
  /** Replaces the pending record with the final answer. */
  complete(key: string, record: IdempotencyRecord): Promise<void>;
  remove(key: string): Promise<void>;
}

/** A saga in flight: what it may have held or charged, so a crash can be compensated. */
export interface SagaRecord {
  reservationId: string;
  guestId: string;
  step: 'holding' | 'paying';
  holds: { roomId: string; carId: string | null };
  paymentRequested: boolean;
  idempotencyKey: string | null;
  startedAt: string;
}

export interface SagaLog {
  /** Stores the record and indexes its id (before anything is held). */
  begin(record: SagaRecord): Promise<void>;
  update(record: SagaRecord): Promise<void>;
  /** Drops the record and its index entry. */
  end(reservationId: string): Promise<void>;
  /** Every in-flight record, through the index (no scan). */
  list(): Promise<SagaRecord[]>;
}
