import { recipientIndexKey, reservationIndexKey, toPublic, type Message, type StoredMessage } from '../domain/messages';
import type { StatePort } from '../ports';
import { indexKeys } from './indexes';

/** A recipient's messages, or a reservation's (optionally only those addressed to `recipientId`). */
export type MessageScope = { reservationId: string; recipientId?: string } | { reservationId?: undefined; recipientId: string };
export type MessageQuery = MessageScope & { limit: number; offset: number };

export interface MessagePage {
  items: Message[];
  /** Where the next page starts; null after the last. */
  nextOffset: number | null;
}

export type ListMessages = (query: MessageQuery) => Promise<MessagePage>;

async function messagesOf(state: StatePort, keys: string[]): Promise<StoredMessage[]> {
  const found = await state.getStates<StoredMessage>(keys);
  return keys.map((key) => found.get(key)?.value).filter((m): m is StoredMessage => m !== undefined);
}

/**
 * Lists from one index key (never a scan), oldest first: a recipient's messages from their index,
 * reading only the page; a reservation's from its index (at most one message per event type),
 * only those addressed to `recipientId` when it is given, filtered before paging.
 */
export function listMessages(state: StatePort): ListMessages {
  return async (query) => {
    const { limit, offset } = query;
    if (query.reservationId === undefined) {
      const keys = await indexKeys(state, recipientIndexKey(query.recipientId));
      const slice = keys.slice(offset, offset + limit);
      const end = offset + slice.length;
      return { items: (await messagesOf(state, slice)).map(toPublic), nextOffset: end < keys.length ? end : null };
    }
    const { recipientId } = query;
    const all = (await messagesOf(state, await indexKeys(state, reservationIndexKey(query.reservationId)))).filter(
      (m) => recipientId === undefined || m.recipientId === recipientId,
    );
    const end = Math.min(offset + limit, all.length);
    return { items: all.slice(offset, end).map(toPublic), nextOffset: end < all.length ? end : null };
  };
}
