import type { Message, StoredMessage } from './domain/messages';

/** A stored message and its place in the store's order (creation order, only grows). */
export type ListedMessage = StoredMessage & { position: number };

/** Whose messages a list names: a recipient's, or a reservation's (optionally only those addressed to `recipientId`). */
export type MessageScope = { reservationId: string; recipientId?: string } | { reservationId?: undefined; recipientId: string };

/**
 * Where messages are kept (adapters/typeorm: a table with a unique (reservationId, type), so a
 * message exists at most once whatever races; lists are indexed queries). Every method is one
 * round trip to the store.
 */
export interface MessageStore {
  /** The reservation's messages, oldest first (at most one per event type). */
  ofReservation(reservationId: string): Promise<StoredMessage[]>;
  /** Stores the message unless one of its (reservation, type) exists; answers whether it did. */
  create(message: StoredMessage): Promise<boolean>;
  /** Marks a message `sent` (a no-op when it is sent already). */
  markSent(id: string, deliveredAt: string): Promise<void>;
  /** Up to `limit` undelivered messages, oldest first. */
  undelivered(limit: number): Promise<StoredMessage[]>;
  /** A page of the scope's messages after `after` (a position), oldest first; `limit + 1` tells whether there are more. */
  list(scope: MessageScope, after: number | undefined, limit: number): Promise<ListedMessage[]>;
  /** The store answers. */
  isHealthy(): Promise<boolean>;
}

/** Hands a message to the outside world (a Dapr output binding). Throws when it could not. */
export interface MessageBinding {
  send(message: Message): Promise<void>;
}

/** What the message use cases tell the operators (adapters/metrics.ts: Prometheus). Counts only, never a decision. */
export interface MessageMetrics {
  /** One try of the output binding: sent, or failed (the message stays undelivered). */
  deliveryTried(result: 'sent' | 'failed'): void;
  /** A new message was stored undelivered (its first try failed): the retry sweep owns it now. */
  storedUndelivered(): void;
  /** Undelivered messages the last retry sweep left (its batch: at most SWEEP_BATCH). */
  undeliveredLeft(count: number): void;
}
