import { toPublic, type Message } from '../domain/messages';
import type { MessageScope, MessageStore } from '../ports';

export type { MessageScope } from '../ports';
export type MessageQuery = MessageScope & { limit: number; after?: number };

export interface MessagePage {
  items: Message[];
  /** Where the next page starts (the last item's position); null after the last page. */
  next: number | null;
}

export type ListMessages = (query: MessageQuery) => Promise<MessagePage>;

/**
 * A recipient's messages, or a reservation's (only those addressed to `recipientId` when it is
 * given, filtered before paging), oldest first: one indexed query, asking for one more than the
 * page to know whether another page follows.
 */
export function listMessages(store: MessageStore): ListMessages {
  return async (query) => {
    const scope: MessageScope =
      query.reservationId === undefined
        ? { recipientId: query.recipientId }
        : { reservationId: query.reservationId, ...(query.recipientId === undefined ? {} : { recipientId: query.recipientId }) };
    const found = await store.list(scope, query.after, query.limit + 1);
    const page = found.slice(0, query.limit);
    return { items: page.map(toPublic), next: found.length > query.limit ? (page.at(-1)?.position ?? null) : null };
  };
}
