import { assertOwnerOrHidden, mayRead, notFound, type Caller } from '@staycar/common';
import { paymentIdFor, paymentKey, storedNow, type PaidPayment, type Payment, type StoredPayment } from '../domain/payment';
import type { StatePort } from '../ports';

export interface PaymentReads {
  /** The payment, for the guest of its reservation or an operator; to anyone else it does not exist (NOT_FOUND). */
  get(id: string, caller: Caller): Promise<Payment>;
  /** The reservation's payment, whoever asks (internal: `reservation` only). */
  byReservation(reservationId: string): Promise<Payment | undefined>;
  /** The reservation's payment as the caller may see it: none at all unless the caller is its guest or an operator. */
  byReservationFor(reservationId: string, caller: Caller): Promise<Payment | undefined>;
}

export const noPayment = () => notFound('NOT_FOUND', 'No such payment.');

export function paymentReads(state: StatePort): PaymentReads {
  const paid = async (id: string): Promise<PaidPayment | undefined> => {
    const found = await state.getState<StoredPayment>(paymentKey(id));
    const stored = found && storedNow(found.value);
    return stored?.kind === 'payment' ? stored : undefined;
  };
  return {
    async get(id, caller) {
      const found = await paid(id);
      if (!found) throw noPayment();
      assertOwnerOrHidden(caller, found.guestId, { message: 'No such payment.' });
      return found.payment;
    },
    async byReservation(reservationId) {
      return (await paid(paymentIdFor(reservationId)))?.payment;
    },
    async byReservationFor(reservationId, caller) {
      const found = await paid(paymentIdFor(reservationId));
      return found && mayRead(caller, found.guestId) ? found.payment : undefined;
    },
  };
}
