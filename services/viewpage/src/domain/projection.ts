import type {
  CarDeletedData,
  CarSnapshotData,
  PaymentData,
  RentcarBookingData,
  ReservationData,
  ReviewCreatedData,
  RoomDeletedData,
  RoomSnapshotData,
} from './events';
import { DEFAULT_CANCELLATION_TERMS } from '@staycar/common';

/**
 * The read model's rows and the pure reducers that fold events into them. Each reducer returns
 * the new row, or `undefined` when the event changes nothing (already seen, or older than what
 * the row holds): that is what makes redelivery and reordering harmless.
 */

export interface Room {
  id: string;
  hostId: string;
  name: string;
  city: string;
  pricePerNight: number;
  currency: string;
  description: string;
  capacity: number | null;
  /** The room's cancellation terms (issue 18); a snapshot from before them: the defaults. */
  cancellationPolicy: string;
  timeZone: string;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface RoomRow {
  roomId: string;
  /** The latest full snapshot (RoomRegistered/RoomModified); null until one arrived. */
  room: Room | null;
  /** Highest room version applied (snapshots and the deletion). */
  version: number;
  deleted: boolean;
  reviewCount: number;
  averageRating: number | null;
  /** Highest ReviewCreated version applied (the room's review counter). */
  reviewVersion: number;
  /** When the row or one of its reservations last changed (event time). */
  updatedAt: string;
}

export interface Car {
  id: string;
  hostId: string;
  model: string;
  city: string;
  pricePerDay: number;
  currency: string;
  seats: number | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface CarRow {
  carId: string;
  car: Car | null;
  version: number;
  deleted: boolean;
  updatedAt: string;
}

export type ReservationStatus = 'confirmed' | 'cancelled' | 'completed';
export type PaymentStatus = 'approved' | 'refunded' | 'partially_refunded';
export type CarStatus = 'reserved' | 'released';

export interface ReservationRow {
  reservationId: string;
  roomId: string | null;
  guestId: string | null;
  carId: string | null;
  checkIn: string | null;
  checkOut: string | null;
  status: ReservationStatus | null;
  reservationVersion: number;
  paymentStatus: PaymentStatus | null;
  paymentVersion: number;
  carStatus: CarStatus | null;
  createdAt: string | null;
  updatedAt: string;
}

/** Each status only moves forward: confirmed → cancelled or completed (both final), approved → (partially) refunded, reserved → released. */
const RANK: Record<string, number> = {
  confirmed: 1,
  cancelled: 2,
  completed: 2,
  approved: 1,
  refunded: 2,
  partially_refunded: 2,
  reserved: 1,
  released: 2,
};
const rank = (status: string | null): number => (status === null ? 0 : RANK[status]);

const later = (a: string, b: string | undefined): string => (b !== undefined && b > a ? b : a);
const eventTime = (data: { occurredAt?: string }, now: string): string => data.occurredAt ?? now;

// ---- rooms -------------------------------------------------------------------------------------

export const emptyRoom = (roomId: string, now: string): RoomRow => ({
  roomId,
  room: null,
  version: 0,
  deleted: false,
  reviewCount: 0,
  averageRating: null,
  reviewVersion: 0,
  updatedAt: now,
});

export function roomFromSnapshot(data: RoomSnapshotData): Room {
  return {
    id: data.roomId,
    hostId: data.hostId,
    name: data.name,
    city: data.city,
    pricePerNight: data.pricePerNight,
    currency: data.currency ?? 'KRW',
    description: data.description ?? '',
    capacity: data.capacity ?? null,
    cancellationPolicy: data.cancellationPolicy ?? DEFAULT_CANCELLATION_TERMS.cancellationPolicy,
    timeZone: data.timeZone ?? DEFAULT_CANCELLATION_TERMS.timeZone,
    createdAt: data.createdAt ?? null,
    updatedAt: data.updatedAt ?? null,
  };
}

/** RoomRegistered / RoomModified: the newest snapshot wins; a deleted room stays deleted. */
export function applyRoomSnapshot(row: RoomRow | undefined, data: RoomSnapshotData, now: string): RoomRow | undefined {
  const current = row ?? emptyRoom(data.roomId, now);
  const version = data.version ?? current.version + 1;
  if (current.deleted || (current.room !== null && version <= current.version)) return undefined;
  return { ...current, room: roomFromSnapshot(data), version, updatedAt: later(current.updatedAt, eventTime(data, now)) };
}

/** RoomDeleted: final (a late snapshot cannot bring the room back). */
export function applyRoomDeleted(row: RoomRow | undefined, data: RoomDeletedData, now: string): RoomRow | undefined {
  return deletedListing(row ?? emptyRoom(data.roomId, now), data, now);
}

/** A room or car row marked deleted for good (undefined: it already was). */
function deletedListing<R extends { deleted: boolean; version: number; updatedAt: string }>(
  current: R,
  data: { version?: number; occurredAt?: string },
  now: string,
): R | undefined {
  if (current.deleted) return undefined;
  return {
    ...current,
    deleted: true,
    version: Math.max(current.version, data.version ?? 0),
    updatedAt: later(current.updatedAt, eventTime(data, now)),
  };
}

/** ReviewCreated carries the room's totals after the review; the highest review counter wins. */
export function applyReviewCreated(row: RoomRow | undefined, data: ReviewCreatedData, now: string): RoomRow | undefined {
  const current = row ?? emptyRoom(data.roomId, now);
  const version = data.version ?? data.reviewCount;
  if (version <= current.reviewVersion) return undefined;
  return {
    ...current,
    reviewCount: data.reviewCount,
    averageRating: data.averageRating,
    reviewVersion: version,
    updatedAt: later(current.updatedAt, eventTime(data, now)),
  };
}

/** Listed (in /roomviews and /rooms) once a snapshot arrived, until deleted. */
export const isListed = (row: { deleted: boolean; room?: unknown; car?: unknown }): boolean =>
  !row.deleted && (row.room ?? row.car ?? null) !== null;

// ---- cars --------------------------------------------------------------------------------------

export const emptyCar = (carId: string, now: string): CarRow => ({ carId, car: null, version: 0, deleted: false, updatedAt: now });

export function applyCarSnapshot(row: CarRow | undefined, data: CarSnapshotData, now: string): CarRow | undefined {
  const current = row ?? emptyCar(data.carId, now);
  const version = data.version ?? current.version + 1;
  if (current.deleted || (current.car !== null && version <= current.version)) return undefined;
  const car: Car = {
    id: data.carId,
    hostId: data.hostId,
    model: data.model,
    city: data.city,
    pricePerDay: data.pricePerDay,
    currency: data.currency ?? 'KRW',
    seats: data.seats ?? null,
    createdAt: data.createdAt ?? null,
    updatedAt: data.updatedAt ?? null,
  };
  return { ...current, car, version, updatedAt: later(current.updatedAt, eventTime(data, now)) };
}

export function applyCarDeleted(row: CarRow | undefined, data: CarDeletedData, now: string): CarRow | undefined {
  return deletedListing(row ?? emptyCar(data.carId, now), data, now);
}

// ---- reservations ------------------------------------------------------------------------------

export const emptyReservation = (reservationId: string, now: string): ReservationRow => ({
  reservationId,
  roomId: null,
  guestId: null,
  carId: null,
  checkIn: null,
  checkOut: null,
  status: null,
  reservationVersion: 0,
  paymentStatus: null,
  paymentVersion: 0,
  carStatus: null,
  createdAt: null,
  updatedAt: now,
});

/** ReservationConfirmed (version 1) / ReservationCancelled or ReservationCompleted (version 2): the newer snapshot wins. */
export function applyReservation(
  row: ReservationRow | undefined,
  status: ReservationStatus,
  data: ReservationData,
  now: string,
): ReservationRow | undefined {
  const current = row ?? emptyReservation(data.reservationId, now);
  const version = data.version ?? rank(status);
  if (version <= current.reservationVersion || rank(status) < rank(current.status)) return undefined;
  return {
    ...current,
    roomId: data.roomId,
    guestId: data.guestId,
    carId: data.carId ?? current.carId,
    checkIn: data.checkIn,
    checkOut: data.checkOut,
    status,
    reservationVersion: version,
    createdAt: data.createdAt ?? current.createdAt ?? eventTime(data, now),
    updatedAt: later(current.updatedAt, eventTime(data, now)),
  };
}

/** What a PaymentRefunded made of the payment: `partially_refunded` when it says so, else (a full refund, or an event from before issue 18) `refunded`. */
export const refundStatusOf = (data: PaymentData): PaymentStatus =>
  data.status === 'partially_refunded' ? 'partially_refunded' : 'refunded';

/** PaymentApproved / PaymentRefunded: approved → refunded or partially_refunded, never back. */
export function applyPayment(
  row: ReservationRow | undefined,
  status: PaymentStatus,
  data: PaymentData,
  now: string,
): ReservationRow | undefined {
  const current = row ?? emptyReservation(data.reservationId, now);
  const version = data.version ?? rank(status);
  if (rank(status) <= rank(current.paymentStatus) || version <= current.paymentVersion) return undefined;
  return {
    ...current,
    guestId: current.guestId ?? data.guestId ?? null,
    paymentStatus: status,
    paymentVersion: version,
    updatedAt: later(current.updatedAt, eventTime(data, now)),
  };
}

/** RentcarReserved / RentcarReleased for one reservation: released is final (a late "reserved" is ignored). */
export function applyCarBooking(
  row: ReservationRow | undefined,
  status: CarStatus,
  data: RentcarBookingData,
  now: string,
): ReservationRow | undefined {
  const current = row ?? emptyReservation(data.reservationId, now);
  if (rank(status) <= rank(current.carStatus)) return undefined;
  return {
    ...current,
    carId: current.carId ?? data.carId,
    guestId: current.guestId ?? data.guestId ?? null,
    carStatus: status,
    updatedAt: later(current.updatedAt, eventTime(data, now)),
  };
}

// ---- what the API answers ----------------------------------------------------------------------

export interface ReservationSummary {
  reservationId: string;
  guestId: string | null;
  checkIn: string | null;
  checkOut: string | null;
  status: ReservationStatus | null;
  paymentStatus: PaymentStatus | null;
  carId: string | null;
  carStatus: CarStatus | null;
}

export interface RoomView {
  roomId: string;
  name: string;
  city: string;
  hostId: string;
  pricePerNight: number;
  reviewCount: number;
  averageRating: number | null;
  activeReservations: number;
  latestReservation: ReservationSummary | null;
  updatedAt: string;
  reservations?: ReservationSummary[];
}

export const summarize = (r: ReservationRow): ReservationSummary => ({
  reservationId: r.reservationId,
  guestId: r.guestId,
  checkIn: r.checkIn,
  checkOut: r.checkOut,
  status: r.status,
  paymentStatus: r.paymentStatus,
  carId: r.carId,
  carStatus: r.carStatus,
});

/** A reservation counts as active while it is confirmed (a cancelled or completed one does not). */
export const isActive = (r: ReservationRow): boolean => r.status === 'confirmed';

export function toRoomView(row: RoomRow & { room: Room }, active: number, latest: ReservationRow | undefined): RoomView {
  return {
    roomId: row.roomId,
    name: row.room.name,
    city: row.room.city,
    hostId: row.room.hostId,
    pricePerNight: row.room.pricePerNight,
    reviewCount: row.reviewCount,
    averageRating: row.averageRating,
    activeReservations: active,
    latestReservation: latest ? summarize(latest) : null,
    updatedAt: row.updatedAt,
  };
}
