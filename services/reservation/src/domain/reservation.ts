/**
 * Pure domain of a reservation: pricing, state transitions, event payloads. No I/O.
 * The stay rules (real days, ≤ 90 nights, the booking horizon) are @staycar/common's `stayProblems`,
 * the same that `GET /rooms/{id}/availability` applies. The refund of a cancel: ./refund.ts.
 */
import { cancellationTermsOf, conflict, type CancellationPolicy } from '@staycar/common';

/** confirmed → cancelled (by its guest) or confirmed → completed (the day after checkout, stays-end job); both final. */
export type ReservationStatus = 'confirmed' | 'cancelled' | 'completed';

/** The public Reservation (API.md). */
export interface Reservation {
  id: string;
  guestId: string;
  roomId: string;
  carId: string | null;
  checkIn: string;
  checkOut: string;
  nights: number;
  amount: number;
  currency: string;
  /** The room's cancellation terms when the reservation was made: they decide its refund. */
  cancellationPolicy: CancellationPolicy;
  timeZone: string;
  /** What the cancel refunds (set when it is cancelled; ./refund.ts). */
  refundAmount?: number;
  status: ReservationStatus;
  paymentId: string;
  createdAt: string;
  updatedAt: string;
  cancelledAt?: string;
  /** When the stay-end job completed it (the day after checkout, in the stay's time zone). */
  completedAt?: string;
}

/** What is stored under `reservation:<id>`: the reservation plus what its events need. */
export interface StoredReservation {
  reservation: Reservation;
  roomName: string;
  city: string;
  /** Per-aggregate event version: 1 confirmed, 2 cancelled or completed. */
  version: number;
}

/** amount = nights × pricePerNight + (car ? nights × pricePerDay : 0). */
export function amountOf(nights: number, pricePerNight: number, carPricePerDay?: number): number {
  return nights * pricePerNight + (carPricePerDay === undefined ? 0 : nights * carPricePerDay);
}

/** A confirmed reservation's fields, and what its events need (roomName, city) and when (now). */
export type ConfirmInput = Omit<Reservation, 'status' | 'createdAt' | 'updatedAt' | 'cancelledAt' | 'completedAt'> & {
  roomName: string;
  city: string;
  now: string;
};

export function confirmed(input: ConfirmInput): StoredReservation {
  const { roomName, city, now, ...rest } = input;
  return {
    reservation: { ...rest, status: 'confirmed', createdAt: now, updatedAt: now },
    roomName,
    city,
    version: 1,
  };
}

/**
 * The reservation as its POST first answered it (the answer an Idempotency-Key replays): a
 * reservation is created confirmed with updatedAt = createdAt, and cancelling or completing are its
 * only changes, so the first answer is what it was before either.
 */
export function asFirstAnswered(reservation: Reservation): Reservation {
  const { cancelledAt: _cancelledAt, completedAt: _completedAt, refundAmount: _refundAmount, ...rest } = reservation;
  return { ...rest, status: 'confirmed', updatedAt: reservation.createdAt };
}

/**
 * A reservation stored before issue 18 has no cancellation terms: it reads as the defaults
 * (flexible, Asia/Seoul), as its room does.
 */
export function withCancellationTerms(stored: StoredReservation): StoredReservation {
  const { reservation } = stored;
  if (reservation.cancellationPolicy !== undefined && reservation.timeZone !== undefined) return stored;
  return { ...stored, reservation: { ...reservation, ...cancellationTermsOf(reservation) } };
}

/**
 * confirmed → cancelled, refunding `refundAmount` (./refund.ts, decided at this cancel); cancelling
 * a cancelled reservation changes nothing (returns it as is, with the refund decided the first time).
 */
export function cancelled(stored: StoredReservation, now: string, refundAmount: number): { next: StoredReservation; changed: boolean } {
  if (stored.reservation.status === 'cancelled') return { next: stored, changed: false };
  return {
    next: {
      ...stored,
      reservation: { ...stored.reservation, status: 'cancelled', cancelledAt: now, updatedAt: now, refundAmount },
      version: stored.version + 1,
    },
    changed: true,
  };
}

/**
 * confirmed → completed (the stay ended: the stays-end job, when `stayEnded`); anything else is
 * left as it is — a cancelled reservation never becomes completed, a completed one stays so.
 */
export function completed(stored: StoredReservation, now: string): { next: StoredReservation; changed: boolean } {
  if (stored.reservation.status !== 'confirmed') return { next: stored, changed: false };
  return {
    next: {
      ...stored,
      reservation: { ...stored.reservation, status: 'completed', completedAt: now, updatedAt: now },
      version: stored.version + 1,
    },
    changed: true,
  };
}

/** 409 for a cancel of a reservation whose stay has ended (API.md: completed reservations cannot be cancelled). */
export const reservationCompleted = () =>
  conflict('RESERVATION_COMPLETED', 'The stay has ended: a completed reservation cannot be cancelled.');

export const EVENT_TYPES = {
  confirmed: 'ReservationConfirmed',
  cancelled: 'ReservationCancelled',
  completed: 'ReservationCompleted',
} as const;

/**
 * ReservationConfirmed / ReservationCancelled / ReservationCompleted (docs/contracts.md): full
 * Reservation + roomName, city (so `cancellationPolicy`, `timeZone`, and on a cancel `refundAmount`).
 */
export function reservationEvent(stored: StoredReservation, now: string): { type: string; data: Record<string, unknown> } {
  const { reservation } = stored;
  return {
    type: EVENT_TYPES[reservation.status],
    data: {
      ...reservation,
      reservationId: reservation.id,
      roomName: stored.roomName,
      city: stored.city,
      version: stored.version,
      occurredAt: now,
    },
  };
}
