import { deliveryOf, type DeliveryState } from '../domain/delivery';
import { UNDELIVERED_INDEX_KEY, type StoredMessage } from '../domain/messages';
import type { MessageDeps } from './deps';
import { recordAttempt, tryBinding } from './deliver';
import { indexKeys, removeFromIndex } from './indexes';

export interface UndeliveredRetries {
  /**
   * Goes through the undelivered index once; answers how many are still undelivered (-1: the
   * index could not be worked through, tried again later). Never runs twice at once: a call
   * while a sweep runs answers that sweep's result.
   */
  retryNow(): Promise<number>;
  /** After an event was handled: a message left undelivered means a backlog; any backlog is retried now. */
  afterEvent(delivery: DeliveryState): void;
  /** Retries every `intervalMs` (timer not keeping the process alive); returns the stop function. */
  start(intervalMs: number): () => void;
}

/**
 * The retry sweep of messages the output binding refused. It remembers whether a backlog may exist
 * (`maybe` after start and after a failed delivery, `none` once a sweep found the index empty), so
 * an event only costs a read of the undelivered index while there may be something on it.
 */
export function undeliveredRetries(deps: MessageDeps): UndeliveredRetries {
  let backlog: 'maybe' | 'none' = 'maybe';
  let running: Promise<number> | undefined;

  async function sweep(): Promise<number> {
    try {
      const keys = await indexKeys(deps.state, UNDELIVERED_INDEX_KEY);
      if (keys.length === 0) {
        backlog = 'none';
        return 0;
      }
      const messages = await deps.state.getStates<StoredMessage>(keys);
      let left = 0;
      for (const key of keys) {
        const found = messages.get(key);
        if (found && deliveryOf(found.value) !== 'sent') {
          if ((await tryBinding(deps, found.value)) === 'failed') {
            left++;
            continue;
          }
          await recordAttempt(deps, key, 'sent');
        }
        await removeFromIndex(deps.state, UNDELIVERED_INDEX_KEY, key);
      }
      if (left > 0) deps.logger.warn({ undelivered: left }, 'messages still undelivered; will retry');
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
