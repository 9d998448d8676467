import type { Logger } from '@staycar/common';
import type { PaymentGateway, SagaLog } from '../ports';
import type { SagaRecord } from '../domain/saga';

/** Test only (e2e crash tests): pauses at two points of the saga, so a test can kill the process there. */
export interface SagaPauses {
  /** SAGA_PAUSE_AFTER_HOLD_MS: after the holds, before the saga marks itself paying and asks for payment. */
  sagaPauseAfterHoldMs: number;
  /** SAGA_PAUSE_AFTER_PAYMENT_MS: after the payment was approved, before the reservation is stored. */
  sagaPauseAfterPaymentMs: number;
}

export const pausesAsked = (pauses: SagaPauses): boolean => pauses.sagaPauseAfterHoldMs > 0 || pauses.sagaPauseAfterPaymentMs > 0;

/**
 * Decorates the saga log and the payment gateway with the pauses (main.ts wires this only when the
 * environment asks for it). The holds are done when the saga moves to `paying`; the payment is
 * approved when `approve` answers.
 */
export function withSagaPauses(
  ports: { sagas: SagaLog; payments: PaymentGateway },
  pauses: SagaPauses,
  logger: Logger,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): { sagas: SagaLog; payments: PaymentGateway } {
  const { sagas, payments } = ports;
  const pause = async (ms: number, reservationId: string, what: string) => {
    if (ms <= 0) return;
    logger.warn({ reservationId, ms }, `${what}: pausing (test only)`);
    await sleep(ms);
  };
  return {
    sagas: {
      begin: (record) => sagas.begin(record),
      async update(record: SagaRecord) {
        if (record.step === 'paying') await pause(pauses.sagaPauseAfterHoldMs, record.reservationId, 'SAGA_PAUSE_AFTER_HOLD_MS');
        await sagas.update(record);
      },
      end: (reservationId) => sagas.end(reservationId),
      list: () => sagas.list(),
    },
    payments: {
      async approve(request) {
        const approved = await payments.approve(request);
        await pause(pauses.sagaPauseAfterPaymentMs, request.reservationId, 'SAGA_PAUSE_AFTER_PAYMENT_MS');
        return approved;
      },
      refund: (reservationId) => payments.refund(reservationId),
    },
  };
}
