import { createHash } from 'node:crypto';

/** Pure domain of a payment: ids, approval decision, approved → refunded, event payloads. No I/O. */

export type PaymentStatus = 'approved' | 'refunded';

/** The public Payment (API.md). */
export interface Payment {
  id: string;
  reservationId: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  createdAt: string;
  refundedAt?: string;
}

/** What is stored under `payment:<id>`: a payment, or a tombstone for a reservation cancelled before it was paid. */
export type StoredPayment =
  { kind: 'payment'; payment: Payment; guestId: string; version: number } | { kind: 'tombstone'; reservationId: string; createdAt: string };

/**
 * One payment per reservation: its id is derived from the reservation id, so "the payment of this
 * reservation" is one key and a second approve can only find the first, never charge again.
 */
export const paymentIdFor = (reservationId: string): string =>
  `pay_${createHash('sha256').update(`payment|${reservationId}`).digest('hex').slice(0, 32)}`;

export interface ApproveInput {
  reservationId: string;
  guestId: string;
  amount: number;
  currency: string;
  token?: string;
}

/** The simulated card network: one token is refused, everything else (or no token) is approved. */
export const isDeclined = (token: string | undefined, declinedToken: string): boolean => token === declinedToken;

export function approved(input: ApproveInput, now: string): StoredPayment & { kind: 'payment' } {
  return {
    kind: 'payment',
    payment: {
      id: paymentIdFor(input.reservationId),
      reservationId: input.reservationId,
      amount: input.amount,
      currency: input.currency,
      status: 'approved',
      createdAt: now,
    },
    guestId: input.guestId,
    version: 1,
  };
}

/** approved → refunded; refunding a refunded payment changes nothing. */
export function refunded(
  stored: StoredPayment & { kind: 'payment' },
  now: string,
): { next: StoredPayment & { kind: 'payment' }; changed: boolean } {
  if (stored.payment.status === 'refunded') return { next: stored, changed: false };
  return {
    next: { ...stored, payment: { ...stored.payment, status: 'refunded', refundedAt: now }, version: stored.version + 1 },
    changed: true,
  };
}

export const tombstone = (reservationId: string, now: string): StoredPayment => ({ kind: 'tombstone', reservationId, createdAt: now });

export const EVENT_TYPES = { approved: 'PaymentApproved', refunded: 'PaymentRefunded' } as const;

/** PaymentApproved / PaymentRefunded (docs/contracts.md): full Payment + guestId, version 1 / 2. */
export function paymentEvent(stored: StoredPayment & { kind: 'payment' }, now: string): { type: string; data: Record<string, unknown> } {
  return {
    type: stored.payment.status === 'approved' ? EVENT_TYPES.approved : EVENT_TYPES.refunded,
    data: { ...stored.payment, paymentId: stored.payment.id, guestId: stored.guestId, version: stored.version, occurredAt: now },
  };
}
