import { changeState, keep, put } from '@staycar/common';
import { deliveryOf } from '../domain/delivery';
import {
  carriesStay,
  composeMessage,
  contextKey,
  messageKey,
  recipientIndexKey,
  reservationIndexKey,
  stayContextOf,
  withStayContext,
  type MessageEventData,
  type MessageEventType,
  type StayContext,
  type StoredMessage,
} from '../domain/messages';
import type { StatePort } from '../ports';
import type { MessageDeps } from './deps';
import { deliver } from './deliver';
import { addToIndex } from './indexes';
import type { UndeliveredRetries } from './retryUndelivered';

export type RecordMessage = (type: MessageEventType, data: MessageEventData) => Promise<StoredMessage>;

/**
 * Reservation* events carry the room and dates: keep them (create-only, the first one wins). Other
 * events fill what they lack from it when it is known already (events come in any order).
 */
async function withKnownStay(state: StatePort, type: MessageEventType, data: MessageEventData): Promise<MessageEventData> {
  const key = contextKey(data.reservationId);
  if (carriesStay(type)) {
    const context = stayContextOf(data);
    await changeState<StayContext, void>(state, key, (current) => (current ? keep(undefined) : put(context, undefined)));
    return data;
  }
  const known = await state.getState<StayContext>(key);
  return known ? withStayContext(data, known.value) : data;
}

/**
 * Handles one event (idempotent): exactly one message per (reservation, type). The message key is
 * deterministic and created only when it is empty, so a redelivered (or reordered) event finds the
 * message and only finishes what may be missing: the indexes and the delivery. Returns the message
 * as stored.
 */
export function recordMessage(deps: MessageDeps & { cityName: string }, retries: UndeliveredRetries): RecordMessage {
  return async (type, data) => {
    const key = messageKey(data.reservationId, type);
    const fresh = composeMessage(type, await withKnownStay(deps.state, type, data), deps.cityName, deps.clock());
    let message = await changeState<StoredMessage, StoredMessage>(deps.state, key, (current) =>
      current ? keep(current.value) : put(fresh, fresh),
    );
    await addToIndex(deps.state, reservationIndexKey(message.reservationId), key);
    await addToIndex(deps.state, recipientIndexKey(message.recipientId), key);
    if (deliveryOf(message) !== 'sent') message = await deliver(deps, key, message);
    retries.afterEvent(deliveryOf(message));
    return message;
  };
}
