/** What the message service needs from outside, as small interfaces (Dapr-backed in adapters/). */

export interface Stored<T> {
  value: T;
  etag: string;
}

/** Key/value state with first-write-wins: no etag = create-only, etag = only if unchanged. */
export interface StateStore {
  getState<T>(key: string): Promise<Stored<T> | undefined>;
  getStates<T>(keys: string[]): Promise<Map<string, Stored<T>>>;
  /** Throws EtagConflictError when the key exists (no etag) or moved on (etag). */
  saveState(write: { key: string; value: unknown; etag?: string }): Promise<void>;
}

/** Hands a message to the outside world (a Dapr output binding). Throws when it could not. */
export interface MessageOutbox {
  send(message: { id: string } & Record<string, unknown>): Promise<void>;
}
