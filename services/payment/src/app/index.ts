import { approvePayment, type ApprovePayment } from './approve';
import type { PaymentDeps } from './deps';
import { paymentReads, type PaymentReads } from './read';
import { refundPayment, type RefundPayment } from './refund';

export type { PaymentDeps } from './deps';
export type { Approval, ApprovePayment } from './approve';
export { noPayment } from './read';

/** The payment service's use cases over its ports. */
export interface PaymentUseCases extends PaymentReads {
  approve: ApprovePayment;
  refund: RefundPayment;
}

export function paymentUseCases(deps: PaymentDeps & { declinedToken: string }): PaymentUseCases {
  return { approve: approvePayment(deps), refund: refundPayment(deps), ...paymentReads(deps.state) };
}
