import { changeState, keep, put } from '@staycar/common';
import {
  paymentEvent,
  paymentIdFor,
  paymentKey,
  refunded,
  tombstone,
  storedNow,
  type Payment,
  type StoredPayment,
} from '../domain/payment';
import type { PaymentDeps } from './deps';

/**
 * The refunded payment, or undefined when the reservation had none (a tombstone refuses a late
 * approve). `amount`: what the cancel refunds (ReservationCancelled's `refundAmount`); undefined,
 * all of it (an event from before issue 18, the saga's compensation).
 */
export type RefundPayment = (reservationId: string, amount?: number) => Promise<Payment | undefined>;

/** Refunds racing an approve or each other. */
const REFUND_ATTEMPTS = 10;

type Refund = { payment?: Payment; did: 'refunded' | 'tombstone' | 'nothing' };

/**
 * Refunds the reservation's payment by `amount` (idempotent: approved → refunded or
 * partially_refunded with PaymentRefunded through the outbox; a refund of 0 leaves it approved;
 * a refunded one stays as it is — domain `refunded`). With no payment yet, leaves a tombstone
 * (plain create-only write, no event) so a late approve is refused.
 */
export function refundPayment(deps: PaymentDeps): RefundPayment {
  return async (reservationId, amount) => {
    const id = paymentIdFor(reservationId);
    const now = deps.clock().toISOString();
    const refund = await changeState<StoredPayment, Refund>(
      deps.state,
      paymentKey(id),
      (current) => {
        if (!current) return put(tombstone(reservationId, now), { did: 'tombstone' });
        const stored = storedNow(current.value);
        if (stored.kind === 'tombstone') return keep({ did: 'nothing' });
        const { next, changed } = refunded(stored, now, amount);
        if (!changed) return keep({ payment: next.payment, did: 'nothing' });
        return put(next, { payment: next.payment, did: 'refunded' }, { event: paymentEvent(next, now) });
      },
      { attempts: REFUND_ATTEMPTS },
    );
    if (refund.did === 'tombstone') deps.logger.info({ reservationId }, 'refund before any payment: tombstone left');
    if (refund.did === 'refunded') {
      deps.logger.info({ paymentId: id, reservationId, refundedAmount: refund.payment?.refundedAmount }, 'payment refunded');
    }
    return refund.payment;
  };
}
