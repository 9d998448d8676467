import { changeState, keep, put } from '@staycar/common';
import { paymentEvent, paymentIdFor, paymentKey, refunded, tombstone, type Payment, type StoredPayment } from '../domain/payment';
import type { PaymentDeps } from './deps';

/** The refunded payment, or undefined when the reservation had none (a tombstone refuses a late approve). */
export type RefundPayment = (reservationId: string) => Promise<Payment | undefined>;

/** Refunds racing an approve or each other. */
const REFUND_ATTEMPTS = 10;

type Refund = { payment?: Payment; did: 'refunded' | 'tombstone' | 'nothing' };

/**
 * Refunds the reservation's payment (idempotent: approved → refunded with PaymentRefunded through
 * the outbox; refunded stays refunded). With no payment yet, leaves a tombstone (plain create-only
 * write, no event) so a late approve is refused.
 */
export function refundPayment(deps: PaymentDeps): RefundPayment {
  return async (reservationId) => {
    const id = paymentIdFor(reservationId);
    const now = deps.clock().toISOString();
    const refund = await changeState<StoredPayment, Refund>(
      deps.state,
      paymentKey(id),
      (current) => {
        if (!current) return put(tombstone(reservationId, now), { did: 'tombstone' });
        if (current.value.kind === 'tombstone') return keep({ did: 'nothing' });
        const { next, changed } = refunded(current.value, now);
        if (!changed) return keep({ payment: next.payment, did: 'nothing' });
        return put(next, { payment: next.payment, did: 'refunded' }, { event: paymentEvent(next, now) });
      },
      { attempts: REFUND_ATTEMPTS },
    );
    if (refund.did === 'tombstone') deps.logger.info({ reservationId }, 'refund before any payment: tombstone left');
    if (refund.did === 'refunded') deps.logger.info({ paymentId: id, reservationId }, 'payment refunded');
    return refund.payment;
  };
}
