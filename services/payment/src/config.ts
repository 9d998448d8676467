import { envInt, envString, loadBaseConfig } from '@staycar/common';

export function loadConfig() {
  return {
    ...loadBaseConfig('payment', 8084),
    /** The card token the (simulated) card network refuses (API.md: "tok_declined"). */
    declinedToken: envString('PAYMENT_DECLINED_TOKEN', 'tok_declined'),
    /** Tests only: every approval waits this long before it starts (a slow card network). */
    approveDelayMs: envInt('PAYMENT_APPROVE_DELAY_MS', 0, { max: 600_000 }),
  };
}

export type Config = ReturnType<typeof loadConfig>;
