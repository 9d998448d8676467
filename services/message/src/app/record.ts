import { afterAttempt, firstDelivery } from '../domain/delivery';
import {
  carriesStay,
  composeMessage,
  knownStay,
  stayContextOf,
  withStayContext,
  type MessageEventData,
  type MessageEventType,
  type StoredMessage,
} from '../domain/messages';
import type { MessageDeps } from './deps';
import { tryBinding } from './deliver';
import type { UndeliveredRetries } from './retryUndelivered';

export type RecordMessage = (type: MessageEventType, data: MessageEventData) => Promise<StoredMessage>;

/** Tries the binding again for a stored message that is not sent yet (a redelivered event found it). */
async function redeliver(deps: MessageDeps, message: StoredMessage): Promise<StoredMessage> {
  const next = afterAttempt(message, await tryBinding(deps, message), deps.clock());
  if (!next) return message;
  await deps.store.markSent(message.id, next.deliveredAt ?? deps.clock().toISOString());
  return { ...message, ...next };
}

/**
 * Handles one event (idempotent): exactly one message per (reservation, type), in two store
 * operations — one read of the reservation's messages (is this one there yet? which stay do they
 * know?) and one create-only write of the message with its delivery outcome.
 *
 * The binding is tried before the write, so the write records what happened: `sent`, or
 * `undelivered` for the retry sweep. A crash (or a failed write) between the two leaves nothing
 * stored, so the event is not acknowledged and comes again: it sends again (the binding's file is
 * named by the message id: the same file) and writes. A redelivered event that finds its message
 * sends it only if it is not sent yet. A write that loses to a concurrent delivery of the same
 * event keeps the winner's message (the store's unique (reservationId, type)).
 */
export function recordMessage(deps: MessageDeps & { cityName: string }, retries: UndeliveredRetries): RecordMessage {
  return async (type, data) => {
    const known = await deps.store.ofReservation(data.reservationId);
    const existing = known.find((m) => m.type === type);
    if (existing) {
      const message = existing.delivery === 'sent' ? existing : await redeliver(deps, existing);
      retries.afterEvent(message.delivery);
      return message;
    }

    // Reservation* events carry the stay (kept with their message); the others name it when known.
    const stay = carriesStay(type) ? stayContextOf(data) : undefined;
    const context = stay ? undefined : knownStay(known);
    const message = composeMessage(type, context ? withStayContext(data, context) : data, deps.cityName, deps.clock());
    const attempt = await tryBinding(deps, message);
    if (attempt === 'failed') deps.logger.warn({ messageId: message.id }, 'message binding failed; kept undelivered for a retry');
    const stored: StoredMessage = { ...message, ...firstDelivery(attempt, deps.clock()), ...(stay ? { stay } : {}) };
    if (await deps.store.create(stored)) {
      if (stored.delivery !== 'sent') deps.metrics?.storedUndelivered();
      retries.afterEvent(stored.delivery);
      return stored;
    }
    const winner = (await deps.store.ofReservation(data.reservationId)).find((m) => m.type === type);
    if (!winner) throw new Error(`message ${message.id} was refused as a duplicate but is not stored`);
    retries.afterEvent(winner.delivery);
    return winner;
  };
}
