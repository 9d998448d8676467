import { tryLater } from '../errors';
import { EtagConflictError } from './errors';

export interface ConflictRetryOptions {
  /** Attempts in all (the first included). */
  attempts?: number;
  /** Upper bound of the first back-off; doubles per attempt (full jitter), capped at `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` (read, decide, write with the ETag read) again while it loses an ETag race,
 * with jittered back-off; after `attempts` losses it gives up with 503 TRY_LATER. `attempt`
 * must re-read on every call. Other errors pass through at once.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, options: ConflictRetryOptions = {}): Promise<T> {
  const { attempts = 12, baseDelayMs = 10, maxDelayMs = 250 } = options;
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
