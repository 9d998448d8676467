import { envString, loadBaseConfig } from '@staycar/common';

export function loadConfig() {
  return {
    ...loadBaseConfig('payment', 8084),
    /** The card token the (simulated) card network refuses (API.md: "tok_declined"). */
    declinedToken: envString('PAYMENT_DECLINED_TOKEN', 'tok_declined'),
  };
}

export type Config = ReturnType<typeof loadConfig>;
