import { DaprError, EtagConflictError } from './errors';
import type { Sidecar } from './sidecar';

/**
 * MariaDB under concurrent inserts into Dapr's state table sometimes fails a statement that would
 * succeed a moment later: error 1467 "Failed to read auto-increment value from storage engine"
 * (the table's `row_id` AUTO_INCREMENT), a deadlock (1213) or a lock wait timeout (1205).
 */
const TRANSIENT_STORE_ERROR = /Error 1467|Error 1213|Error 1205|Deadlock found|Lock wait timeout/i;

export function isTransientStoreError(error: unknown): boolean {
  if (!(error instanceof DaprError) || error instanceof EtagConflictError) return false;
  const text = `${error.message} ${typeof error.body === 'string' ? error.body : JSON.stringify(error.body ?? '')}`;
  return TRANSIENT_STORE_ERROR.test(text);
}

/** Runs a state store operation again (bounded, jittered) while it fails with a transient store error. */
export async function retryTransient<T>(operation: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await operation();
    } catch (error) {
      if (i >= attempts || !isTransientStoreError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * i));
    }
  }
}

/** The state operations of a Sidecar. */
export type StateApi = Pick<Sidecar, 'getState' | 'getStates' | 'saveState' | 'deleteState' | 'transact'>;

/** The sidecar's state operations, each retried on transient store errors (see retryTransient). */
export function withTransientRetries(sidecar: StateApi): StateApi {
  return {
    getState: (key) => retryTransient(() => sidecar.getState(key)),
    getStates: (keys) => retryTransient(() => sidecar.getStates(keys)),
    saveState: (write) => retryTransient(() => sidecar.saveState(write)),
    deleteState: (key, etag) => retryTransient(() => sidecar.deleteState(key, etag)),
    transact: (writes, metadata) => retryTransient(() => sidecar.transact(writes, metadata)),
  };
}
