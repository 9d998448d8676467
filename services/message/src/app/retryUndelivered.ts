import type { DeliveryState } from '../domain/delivery';
import type { MessageDeps } from './deps';
import { tryBinding } from './deliver';

/** How many undelivered messages one sweep tries (oldest first); a full batch means another sweep soon. */
export const SWEEP_BATCH = 100;

export interface UndeliveredRetries {
  /**
   * Tries the oldest undelivered messages once; answers how many of them are still undelivered
   * (-1: the store could not be read, tried again later). Never runs twice at once: a call while
   * a sweep runs answers that sweep's result.
   */
  retryNow(): Promise<number>;
  /** After an event was handled: a message left undelivered means a backlog; any backlog is retried now. */
  afterEvent(delivery: DeliveryState): void;
  /** Retries every `intervalMs` (timer not keeping the process alive); returns the stop function. */
  start(intervalMs: number): () => void;
}

/**
 * The retry sweep of messages the output binding refused (stored `undelivered`). It remembers
 * whether a backlog may exist (`maybe` after start and after a failed delivery, `none` once a
 * sweep found nothing undelivered), so an event costs a query only while there may be a backlog.
 */
export function undeliveredRetries(deps: MessageDeps): UndeliveredRetries {
  let backlog: 'maybe' | 'none' = 'maybe';
  let running: Promise<number> | undefined;

  async function sweep(): Promise<number> {
    try {
      const batch = await deps.store.undelivered(SWEEP_BATCH);
      if (batch.length === 0) {
        backlog = 'none';
        deps.metrics?.undeliveredLeft(0);
        return 0;
      }
      let left = 0;
      for (const message of batch) {
        if ((await tryBinding(deps, message)) === 'failed') left++;
        else await deps.store.markSent(message.id, deps.clock().toISOString());
      }
      if (left > 0) deps.logger.warn({ undelivered: left }, 'messages still undelivered; will retry');
      deps.metrics?.undeliveredLeft(left);
      return left;
    } catch (error) {
      deps.logger.warn({ err: error }, 'retry of undelivered messages failed; will retry');
      return -1;
    }
  }

  const retryNow = (): Promise<number> => {
    running ??= sweep().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    retryNow,
    afterEvent(delivery) {
      if (delivery !== 'sent') backlog = 'maybe';
      if (backlog === 'maybe') void retryNow();
    },
    start(intervalMs) {
      const timer = setInterval(() => void retryNow(), intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
