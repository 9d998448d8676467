import { createHash } from 'node:crypto';
import { DomainError } from '@staycar/common';

/** Pure domain of a payment: ids, approval decision, approved → (partially) refunded, event payloads. No I/O. */

export type PaymentStatus = 'approved' | 'refunded' | 'partially_refunded';

/** The public Payment (API.md). */
export interface Payment {
  id: string;
  reservationId: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  /** What was given back: 0 while approved, `amount` when refunded, less when partially refunded. */
  refundedAmount: number;
  createdAt: string;
  refundedAt?: string;
}

/** What is stored under `payment:<id>`: a payment, or a tombstone for a reservation cancelled before it was paid. */
export type StoredPayment =
  { kind: 'payment'; payment: Payment; guestId: string; version: number } | { kind: 'tombstone'; reservationId: string; createdAt: string };

/** A stored payment that is a payment (not a tombstone). */
export type PaidPayment = StoredPayment & { kind: 'payment' };

/**
 * One payment per reservation: its id is derived from the reservation id, so "the payment of this
 * reservation" is one key and a second approve can only find the first, never charge again.
 */
export const paymentIdFor = (reservationId: string): string =>
  `pay_${createHash('sha256').update(`payment|${reservationId}`).digest('hex').slice(0, 32)}`;

/** The state key of a payment (or of the tombstone left in its place). */
export const paymentKey = (paymentId: string): string => `payment:${paymentId}`;

/** PAYMENT_DECLINED (kind `declined`): the card network refused, or the reservation was cancelled before it was paid. */
export const paymentDeclined = (message: string): DomainError => new DomainError('declined', 'PAYMENT_DECLINED', message);

export interface ApproveInput {
  reservationId: string;
  guestId: string;
  amount: number;
  currency: string;
  token?: string;
}

/** The simulated card network: one token is refused, everything else (or no token) is approved. */
export const isDeclined = (token: string | undefined, declinedToken: string): boolean => token === declinedToken;

export function approved(input: ApproveInput, now: string): PaidPayment {
  return {
    kind: 'payment',
    payment: {
      id: paymentIdFor(input.reservationId),
      reservationId: input.reservationId,
      amount: input.amount,
      currency: input.currency,
      status: 'approved',
      refundedAmount: 0,
      createdAt: now,
    },
    guestId: input.guestId,
    version: 1,
  };
}

/** A payment stored before issue 18 has no `refundedAmount`: 0 while approved, all of it once refunded. */
export function withRefundedAmount(payment: Payment): Payment {
  if ((payment as Partial<Payment>).refundedAmount !== undefined) return payment;
  return { ...payment, refundedAmount: payment.status === 'approved' ? 0 : payment.amount };
}

/** A stored payment as it reads today (`withRefundedAmount`); a tombstone as it is. */
export const storedNow = (stored: StoredPayment): StoredPayment =>
  stored.kind === 'payment' ? { ...stored, payment: withRefundedAmount(stored.payment) } : stored;

/**
 * Refunds `amount` (undefined: all of it; more than was paid: all of it) once: approved → refunded
 * (all of it) or partially_refunded (less). A refund of 0 changes nothing: the payment stays
 * approved with refundedAmount 0, and no event (nothing was given back). A refunded or partially
 * refunded payment is never refunded again: a reservation is cancelled once, and every delivery of
 * its ReservationCancelled carries the same amount.
 */
export function refunded(stored: PaidPayment, now: string, amount?: number): { next: PaidPayment; changed: boolean } {
  const { payment } = stored;
  const refund = Math.min(amount ?? payment.amount, payment.amount);
  if (payment.status !== 'approved' || refund <= 0) return { next: stored, changed: false };
  const status: PaymentStatus = refund === payment.amount ? 'refunded' : 'partially_refunded';
  return {
    next: { ...stored, payment: { ...payment, status, refundedAmount: refund, refundedAt: now }, version: stored.version + 1 },
    changed: true,
  };
}

export const tombstone = (reservationId: string, now: string): StoredPayment => ({ kind: 'tombstone', reservationId, createdAt: now });

export const EVENT_TYPES = { approved: 'PaymentApproved', refunded: 'PaymentRefunded' } as const;

/**
 * PaymentApproved / PaymentRefunded (docs/contracts.md): full Payment + guestId, version 1 / 2. A
 * partial refund is a PaymentRefunded too, with `status: "partially_refunded"` and its `refundedAmount`.
 */
export function paymentEvent(stored: PaidPayment, now: string): { type: string; data: Record<string, unknown> } {
  return {
    type: stored.payment.status === 'approved' ? EVENT_TYPES.approved : EVENT_TYPES.refunded,
    data: { ...stored.payment, paymentId: stored.payment.id, guestId: stored.guestId, version: stored.version, occurredAt: now },
  };
}
