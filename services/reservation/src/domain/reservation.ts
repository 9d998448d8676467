import { createHash } from 'node:crypto';

/**
 * Pure domain of a reservation: pricing, state transitions, event payloads, idempotency. No I/O.
 * The stay rules (real days, ≤ 90 nights, the booking horizon) are @staycar/common's `stayProblems`,
 * the same that `GET /rooms/{id}/availability` applies.
 */

export type ReservationStatus = 'confirmed' | 'cancelled';

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
  status: ReservationStatus;
  paymentId: string;
  createdAt: string;
  updatedAt: string;
  cancelledAt?: string;
}

/** What is stored under `reservation:<id>`: the reservation plus what its events need. */
export interface StoredReservation {
  reservation: Reservation;
  roomName: string;
  city: string;
  /** Per-aggregate event version: 1 confirmed, 2 cancelled. */
  version: number;
}

/** amount = nights × pricePerNight + (car ? nights × pricePerDay : 0). */
export function amountOf(nights: number, pricePerNight: number, carPricePerDay?: number): number {
  return nights * pricePerNight + (carPricePerDay === undefined ? 0 : nights * carPricePerDay);
}

export interface ConfirmInput {
  id: string;
  guestId: string;
  roomId: string;
  carId: string | null;
  checkIn: string;
  checkOut: string;
  nights: number;
  amount: number;
  currency: string;
  paymentId: string;
  roomName: string;
  city: string;
  now: string;
}

export function confirmed(input: ConfirmInput): StoredReservation {
  const { roomName, city, now, ...rest } = input;
  return {
    reservation: { ...rest, status: 'confirmed', createdAt: now, updatedAt: now },
    roomName,
    city,
    version: 1,
  };
}

/** confirmed → cancelled; cancelling a cancelled reservation changes nothing (returns it as is). */
export function cancelled(stored: StoredReservation, now: string): { next: StoredReservation; changed: boolean } {
  if (stored.reservation.status === 'cancelled') return { next: stored, changed: false };
  return {
    next: {
      ...stored,
      reservation: { ...stored.reservation, status: 'cancelled', cancelledAt: now, updatedAt: now },
      version: stored.version + 1,
    },
    changed: true,
  };
}

export const EVENT_TYPES = { confirmed: 'ReservationConfirmed', cancelled: 'ReservationCancelled' } as const;

/** ReservationConfirmed / ReservationCancelled (docs/contracts.md): full Reservation + roomName, city. */
export function reservationEvent(stored: StoredReservation, now: string): { type: string; data: Record<string, unknown> } {
  const { reservation } = stored;
  return {
    type: reservation.status === 'confirmed' ? EVENT_TYPES.confirmed : EVENT_TYPES.cancelled,
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

/** A stable JSON text: object keys sorted at every level, so key order never changes the fingerprint. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * An Idempotency-Key belongs to the guest who sent it: two guests using the same key get two
 * records (and never see each other's answer). The record's key is the pair, unambiguously joined.
 */
export const idempotencyRecordKey = (guestId: string, idempotencyKey: string): string => JSON.stringify([guestId, idempotencyKey]);

/** The fingerprint of a request body (with the guest resolved) that an Idempotency-Key is bound to. */
export const bodyFingerprint = (body: unknown): string => createHash('sha256').update(canonicalJson(body)).digest('hex');
