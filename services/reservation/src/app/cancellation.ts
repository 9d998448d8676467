import { assertOwnerActs, type CancellationPolicy, type Caller } from '@staycar/common';
import type { ReservationDeps } from './deps';
import { NO_RESERVATION, noReservation } from './cancel';
import { quoteRefund, type RefundStep } from '../domain/refund';
import { reservationCompleted, type ReservationStatus } from '../domain/reservation';

/** GET /reservations/{id}/cancellation: what a cancel refunds, before the guest confirms it. */
export interface CancellationQuote {
  reservationId: string;
  status: ReservationStatus;
  cancellationPolicy: CancellationPolicy;
  timeZone: string;
  amount: number;
  currency: string;
  /** A cancel now refunds this much; once cancelled, what the cancel refunded. */
  refundAmount: number;
  /** Until when a cancel refunds everything (ISO); null when the reservation's policy never does. */
  fullRefundUntil: string | null;
  /** The whole schedule: cancelling before `until` refunds `refundAmount` (`until` null: from the last cut-off on). */
  schedule: RefundStep[];
}

/**
 * The refund a cancel would make now (the same clock and rules as the cancel itself), or the one
 * it made; a completed reservation (its stay ended) is 409 RESERVATION_COMPLETED, as its cancel. Only its guest asks (as for the cancel: an operator gets 403, anyone else 404).
 */
export async function quoteCancellation({ reservations, clock }: ReservationDeps, id: string, caller: Caller): Promise<CancellationQuote> {
  const found = await reservations.get(id);
  if (!found) throw noReservation();
  const { reservation } = found;
  assertOwnerActs(caller, reservation.guestId, { message: NO_RESERVATION });
  // Its cancel would answer 409: so does the quote (no refund to promise).
  if (reservation.status === 'completed') throw reservationCompleted();
  const quote = quoteRefund(reservation, clock());
  return {
    reservationId: reservation.id,
    status: reservation.status,
    cancellationPolicy: reservation.cancellationPolicy,
    timeZone: reservation.timeZone,
    amount: reservation.amount,
    currency: reservation.currency,
    refundAmount: reservation.status === 'cancelled' ? (reservation.refundAmount ?? reservation.amount) : quote.refundAmount,
    fullRefundUntil: quote.fullRefundUntil,
    schedule: quote.schedule,
  };
}
