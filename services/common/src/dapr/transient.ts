import { DaprError, EtagConflictError } from './errors';

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

/**
 * Runs a state store operation again (bounded, exponential jittered back-off) while it fails with a
 * transient store error. Safe for every state operation: the failed statement was rolled back, and a
 * create-only write that lost meanwhile fails the retry with EtagConflictError as it should.
 * `Sidecar`'s state writes use it.
 */
export async function retryTransient<T>(operation: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await operation();
    } catch (error) {
      if (i >= attempts || !isTransientStoreError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * Math.min(250, 10 * 2 ** i)));
    }
  }
}
