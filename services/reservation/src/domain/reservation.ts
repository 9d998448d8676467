import { createHash } from 'node:crypto';

/** Pure domain of a reservation: stays, pricing, state transitions, event payloads. No I/O. */

export const MAX_NIGHTS = 90;
const DAY_MS = 86_400_000;

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

/** Midnight UTC of a `YYYY-MM-DD` day, or undefined when it is not a real calendar day. */
export function dayNumber(day: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return undefined;
  return ms / DAY_MS;
}

/** Nights of a stay checkIn..checkOut (checkOut not included). */
export function nightsBetween(checkIn: string, checkOut: string): number {
  const from = dayNumber(checkIn);
  const to = dayNumber(checkOut);
  if (from === undefined || to === undefined) throw new RangeError('not a calendar day');
  return to - from;
}

/** Why a stay is not acceptable (field + reason, for VALIDATION_FAILED), or [] when it is. */
export function stayProblems(checkIn: string, checkOut: string): { field: string; reason: string }[] {
  const from = dayNumber(checkIn);
  const to = dayNumber(checkOut);
  const problems: { field: string; reason: string }[] = [];
  if (from === undefined) problems.push({ field: 'checkIn', reason: 'is not a calendar day' });
  if (to === undefined) problems.push({ field: 'checkOut', reason: 'is not a calendar day' });
  if (from === undefined || to === undefined) return problems;
  if (to <= from) problems.push({ field: 'checkOut', reason: 'must be after checkIn' });
  else if (to - from > MAX_NIGHTS) problems.push({ field: 'checkOut', reason: `the stay must be at most ${MAX_NIGHTS} nights` });
  return problems;
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

/** The fingerprint of a request body that an Idempotency-Key is bound to. */
export const bodyFingerprint = (body: unknown): string => createHash('sha256').update(canonicalJson(body)).digest('hex');
