import type { Logger } from '@staycar/common';
import type { PaymentGateway } from '../ports';

/** Test only (e2e crash tests): pauses at two points of the saga, so a test can kill the process there. */
export interface SagaPauses {
  /** SAGA_PAUSE_AFTER_HOLD_MS: after the holds, before the payment is asked for. */
  sagaPauseAfterHoldMs: number;
  /** SAGA_PAUSE_AFTER_PAYMENT_MS: after the payment was approved, before the reservation is stored. */
  sagaPauseAfterPaymentMs: number;
}

export const pausesAsked = (pauses: SagaPauses): boolean => pauses.sagaPauseAfterHoldMs > 0 || pauses.sagaPauseAfterPaymentMs > 0;

/**
 * Decorates the payment gateway with the pauses (main.ts wires this only when the environment asks
 * for it): the holds are done when the saga asks for the payment; the payment is approved when
 * `approve` answers.
 */
export function withSagaPauses(
  payments: PaymentGateway,
  pauses: SagaPauses,
  logger: Logger,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): PaymentGateway {
  const pause = async (ms: number, reservationId: string, what: string) => {
    if (ms <= 0) return;
    logger.warn({ reservationId, ms }, `${what}: pausing (test only)`);
    await sleep(ms);
  };
  return {
    async approve(request) {
      await pause(pauses.sagaPauseAfterHoldMs, request.reservationId, 'SAGA_PAUSE_AFTER_HOLD_MS');
      const approved = await payments.approve(request);
      await pause(pauses.sagaPauseAfterPaymentMs, request.reservationId, 'SAGA_PAUSE_AFTER_PAYMENT_MS');
      return approved;
    },
    refund: (reservationId) => payments.refund(reservationId),
  };
}
