import type { Logger } from '@staycar/common';
import type { ApprovePayment } from '../app';

/**
 * Tests only (PAYMENT_APPROVE_DELAY_MS, test/e2e/resilience.test.ts): a slow card network. Every
 * approval waits `delayMs` before it reads anything, so a refund that lands meanwhile leaves a
 * tombstone and the late approval is refused. main.ts wraps `approve` with it; with no delay set it
 * is `approve` itself. The log line names the reservation and the variable (the e2e test looks for it).
 */
export function delayedApprovals(approve: ApprovePayment, delayMs: number, logger: Logger): ApprovePayment {
  if (delayMs <= 0) return approve;
  return async (input) => {
    logger.warn({ reservationId: input.reservationId, ms: delayMs }, 'PAYMENT_APPROVE_DELAY_MS: approval delayed (test only)');
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return approve(input);
  };
}
