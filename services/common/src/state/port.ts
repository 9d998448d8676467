/** A stored value and the ETag it was read with (the token for a guarded write). */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/** A domain event as it travels: CloudEvent `type` = `type`, CloudEvent `data` = `data`. */
export interface DomainEvent<D extends object = object> {
  type: string;
  data: D;
}

/**
 * One guarded write. Every write is first-write-wins: with `etag` it fails if the key moved on since
 * that read, without one it fails if the key exists (create-only). Either failure is an
 * `EtagConflictError`: read again, decide again (`changeState` does).
 */
export interface StateWriteRequest {
  key: string;
  value: unknown;
  etag?: string;
  ttlSeconds?: number;
}

/**
 * What use cases need of a key-value state store with a transactional outbox. `Sidecar`
 * implements it over Dapr; `MemoryStatePort` (`@staycar/common/testing`) in process for unit tests,
 * and `test/contract/statePort.contract.ts` proves the two behave alike.
 */
export interface StatePort {
  getState<T>(key: string): Promise<Versioned<T> | undefined>;
  /** Keys that hold nothing are absent from the map. */
  getStates<T>(keys: string[]): Promise<Map<string, Versioned<T>>>;
  /** A plain guarded write: publishes nothing. */
  saveState(write: StateWriteRequest): Promise<void>;
  /**
   * Several guarded writes in one call to the store (publishes nothing). **Not atomic**: each write
   * is checked on its own; when any lost its race the call fails with `EtagConflictError` and the
   * others may have been written — read again and decide again (every decision must be idempotent).
   */
  saveStates(writes: StateWriteRequest[]): Promise<void>;
  /** The guarded write and its event, committed together or not at all (the outbox publishes the event). */
  saveWithEvent(write: Omit<StateWriteRequest, 'ttlSeconds'>, event: DomainEvent): Promise<void>;
  /** Deletes the key (publishes nothing); with `etag`, only if it did not move on. A missing key is no error. */
  deleteState(key: string, etag?: string): Promise<void>;
}
