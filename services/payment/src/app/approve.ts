import { changeState, keep, put } from '@staycar/common';
import {
  approved,
  isDeclined,
  paymentDeclined,
  paymentEvent,
  paymentIdFor,
  paymentKey,
  type ApproveInput,
  type Payment,
  type StoredPayment,
  withRefundedAmount,
} from '../domain/payment';
import type { PaymentDeps } from './deps';

export interface Approval {
  /** True when this call made the payment; false when it already existed (a retry or a racing duplicate). */
  created: boolean;
  payment: Payment;
}

export type ApprovePayment = (input: ApproveInput) => Promise<Approval>;

/** Racing approves of one reservation: the loser reads the winner on its second try. */
const APPROVE_ATTEMPTS = 2;

/**
 * Approves the reservation's payment once (a create-only write with PaymentApproved through the
 * outbox): a new payment, the one that already exists, or PAYMENT_DECLINED for the declined token
 * or a reservation that was cancelled (tombstone) before it was paid.
 */
export function approvePayment(deps: PaymentDeps & { declinedToken: string }): ApprovePayment {
  return async (input) => {
    const id = paymentIdFor(input.reservationId);
    const now = deps.clock().toISOString();
    const approval = await changeState<StoredPayment, Approval>(
      deps.state,
      paymentKey(id),
      (current) => {
        if (current?.value.kind === 'payment') return keep({ created: false, payment: withRefundedAmount(current.value.payment) });
        if (current?.value.kind === 'tombstone') throw paymentDeclined('The reservation was cancelled before it was paid.');
        if (isDeclined(input.token, deps.declinedToken)) throw paymentDeclined('The card was declined.');
        const stored = approved(input, now);
        return put(stored, { created: true, payment: stored.payment }, { event: paymentEvent(stored, now) });
      },
      { attempts: APPROVE_ATTEMPTS },
    );
    if (approval.created) deps.logger.info({ paymentId: id, reservationId: input.reservationId, amount: input.amount }, 'payment approved');
    return approval;
  };
}
