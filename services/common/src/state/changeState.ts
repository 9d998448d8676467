import { tryLater } from '../errors';
import { EtagConflictError } from '../dapr/errors';
import type { DomainEvent, StatePort, Versioned } from './port';

/** How many times a read-decide-write is tried before it ends in TRY_LATER (the first try included). */
export const CONFLICT_ATTEMPTS = 12;

export interface ConflictRetryOptions {
  /** Attempts in all (the first included); default CONFLICT_ATTEMPTS. */
  attempts?: number;
  /** Upper bound of the first back-off; doubles per attempt (full jitter), capped at `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` (read, decide, write with the ETag read) again while it loses an ETag race,
 * with jittered back-off; after `attempts` losses it gives up with TRY_LATER. `attempt` must
 * re-read on every call. Other errors pass through at once. Prefer `changeState` for one key.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, options: ConflictRetryOptions = {}): Promise<T> {
  const { attempts = CONFLICT_ATTEMPTS, baseDelayMs = 10, maxDelayMs = 250 } = options;
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof EtagConflictError)) throw error;
      if (i >= attempts) throw tryLater('Too many concurrent changes of the same resource; try again shortly.', 1);
      await sleep(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (i - 1)));
    }
  }
}

/** What a decision does with the key it read. */
export type Change<T, R> =
  | { readonly kind: 'keep'; readonly result: R }
  | { readonly kind: 'put'; readonly value: T; readonly event?: DomainEvent; readonly ttlSeconds?: number; readonly result: R }
  | { readonly kind: 'delete'; readonly result: R };

/** Leave the key as it is and answer `result`. */
export const keep = <R>(result: R): Change<never, R> => ({ kind: 'keep', result });

/** Store `value` (with `event` published by the outbox in the same commit, when given). */
export const put = <T, R>(value: T, result: R, options: { event?: DomainEvent; ttlSeconds?: number } = {}): Change<T, R> => ({
  kind: 'put',
  value,
  result,
  ...options,
});

/** Delete the key (nothing is published). */
export const remove = <R>(result: R): Change<never, R> => ({ kind: 'delete', result });

/**
 * The one way to change state: reads `key` with its ETag, asks the pure `decide` what to do, writes
 * guarded by that ETag (create-only when the key was empty), and on a lost race reads and decides
 * again, up to `attempts` times, then TRY_LATER. `decide` may throw a DomainError to refuse; it
 * must not have effects of its own (it can run more than once).
 */
export function changeState<T, R>(
  state: StatePort,
  key: string,
  decide: (current: Versioned<T> | undefined) => Change<T, R>,
  options: ConflictRetryOptions = {},
): Promise<R> {
  return retryOnConflict(async () => {
    const current = await state.getState<T>(key);
    const change = decide(current);
    await apply(state, key, current, change);
    return change.result;
  }, options);
}

async function apply<T, R>(state: StatePort, key: string, current: Versioned<T> | undefined, change: Change<T, R>): Promise<void> {
  switch (change.kind) {
    case 'keep':
      return;
    case 'delete':
      if (current) await state.deleteState(key, current.etag);
      return;
    case 'put':
      if (change.event) await state.saveWithEvent({ key, value: change.value, etag: current?.etag }, change.event);
      else await state.saveState({ key, value: change.value, etag: current?.etag, ttlSeconds: change.ttlSeconds });
  }
}
