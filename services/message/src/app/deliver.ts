import { changeState, keep, put } from '@staycar/common';
import { afterAttempt, deliveryOf, type DeliveryAttempt, type DeliveryState } from '../domain/delivery';
import { toPublic, UNDELIVERED_INDEX_KEY, type StoredMessage } from '../domain/messages';
import type { MessageDeps } from './deps';
import { addToIndex, removeFromIndex } from './indexes';

/** Hands the message to the output binding once: `sent`, or `failed` (the binding threw). */
export async function tryBinding(deps: Pick<MessageDeps, 'binding'>, message: StoredMessage): Promise<DeliveryAttempt> {
  try {
    await deps.binding.send(toPublic(message));
    return 'sent';
  } catch {
    return 'failed';
  }
}

/**
 * Moves the stored message along its delivery state machine by the attempt's outcome (a lost race
 * decides again on what won). Returns the state it was in before, and the message after
 * (undefined when it is not stored).
 */
export function recordAttempt(
  deps: Pick<MessageDeps, 'state' | 'clock'>,
  key: string,
  attempt: DeliveryAttempt,
): Promise<{ before?: DeliveryState; after?: StoredMessage }> {
  return changeState<StoredMessage, { before?: DeliveryState; after?: StoredMessage }>(deps.state, key, (current) => {
    if (!current) return keep({});
    const before = deliveryOf(current.value);
    const next = afterAttempt({ delivery: before }, attempt, deps.clock());
    if (!next) return keep({ before, after: current.value });
    const after: StoredMessage = { ...current.value, ...next };
    return put(after, { before, after });
  });
}

/**
 * Delivers a message an event made or found (not `sent` yet): made/undelivered → sent, or on a
 * failure made → undelivered, put on the undelivered index first (so the retry sweep finds it even
 * if what follows does not happen). A message that leaves `undelivered` leaves the index too; a
 * stale entry (a race, a crash in between) is dropped by the sweep when it finds the message sent.
 */
export async function deliver(deps: MessageDeps, key: string, message: StoredMessage): Promise<StoredMessage> {
  if ((await tryBinding(deps, message)) === 'failed') {
    deps.logger.warn({ messageId: message.id }, 'message binding failed; kept undelivered for a retry');
    await addToIndex(deps.state, UNDELIVERED_INDEX_KEY, key);
    return (await recordAttempt(deps, key, 'failed')).after ?? message;
  }
  const { before, after } = await recordAttempt(deps, key, 'sent');
  if (before === 'undelivered') await removeFromIndex(deps.state, UNDELIVERED_INDEX_KEY, key);
  return after ?? { ...message, delivery: 'sent' };
}
