import { DaprError, EtagConflictError } from '../dapr/errors';
import { tryLater, type DomainError } from '../errors';
import type { DomainEvent, StatePort, StateWriteRequest, Versioned } from './port';

export interface TryLaterOptions {
  /** What the refusal tells the caller, e.g. "…; nothing was charged." (may depend on the failure) */
  message: string | ((error: DaprError) => string);
  retryAfterSeconds?: number;
  /** Told each failure (e.g. a warn line with the Dapr error); optional. */
  onFailure?: (error: DaprError) => void;
}

/** A Dapr failure (not a lost ETag race: `changeState` decides again) as the TRY_LATER refusal a use case understands. */
export function asTryLater(error: unknown, options: TryLaterOptions): unknown {
  if (!(error instanceof DaprError) || error instanceof EtagConflictError) return error;
  options.onFailure?.(error);
  const message = typeof options.message === 'string' ? options.message : options.message(error);
  const refusal: DomainError = tryLater(message, options.retryAfterSeconds);
  return refusal;
}

/**
 * A StatePort whose store failures arrive as TRY_LATER DomainErrors, for use cases that must act on
 * them (undo a saga step) or tell the caller what was not done. ETag conflicts pass unchanged.
 */
export function failuresAsTryLater(state: StatePort, options: TryLaterOptions): StatePort {
  const guard = <T>(work: Promise<T>): Promise<T> =>
    work.catch((error: unknown) => {
      throw asTryLater(error, options);
    });
  return {
    getState: <T>(key: string): Promise<Versioned<T> | undefined> => guard(state.getState<T>(key)),
    getStates: <T>(keys: string[]): Promise<Map<string, Versioned<T>>> => guard(state.getStates<T>(keys)),
    saveState: (write: StateWriteRequest) => guard(state.saveState(write)),
    saveStates: (writes: StateWriteRequest[]) => guard(state.saveStates(writes)),
    saveWithEvent: (write: Omit<StateWriteRequest, 'ttlSeconds'>, event: DomainEvent) => guard(state.saveWithEvent(write, event)),
    deleteState: (key: string, etag?: string) => guard(state.deleteState(key, etag)),
  };
}
