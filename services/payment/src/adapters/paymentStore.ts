import { DaprError, EtagConflictError, tryLater, type StatePort } from '@staycar/common';

/** A failure of the store or its sidecar (a lost ETag race is not one: changeState decides again). */
function unavailable(error: unknown): unknown {
  if (error instanceof DaprError && !(error instanceof EtagConflictError))
    return tryLater('The payment store did not answer; nothing was charged.');
  return error;
}

const answering = <T>(work: Promise<T>): Promise<T> =>
  work.catch((error: unknown) => {
    throw unavailable(error);
  });

/**
 * The payments' state store: the sidecar's StatePort (`payment:<id>`, payment writes through the
 * outbox with their event), with Dapr's failures turned into what the use cases understand:
 * TRY_LATER, nothing charged.
 */
export function paymentStore(sidecar: StatePort): StatePort {
  return {
    getState: (key) => answering(sidecar.getState(key)),
    getStates: (keys) => answering(sidecar.getStates(keys)),
    saveState: (write) => answering(sidecar.saveState(write)),
    saveWithEvent: (write, event) => answering(sidecar.saveWithEvent(write, event)),
    deleteState: (key, etag) => answering(sidecar.deleteState(key, etag)),
  };
}
