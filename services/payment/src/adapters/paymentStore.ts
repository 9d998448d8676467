import { failuresAsTryLater, type StatePort } from '@staycar/common';

/**
 * The payments' state store: the sidecar's StatePort (`payment:<id>`, payment writes through the
 * outbox with their event), with Dapr's failures turned into what the use cases understand:
 * TRY_LATER, nothing charged.
 */
export const paymentStore = (sidecar: StatePort): StatePort =>
  failuresAsTryLater(sidecar, { message: 'The payment store did not answer; nothing was charged.' });
