import { EtagConflictError, type Logger } from '@staycar/common';
import {
  composeMessage,
  decodeCursor,
  encodeCursor,
  messageKey,
  toPublic,
  withKey,
  withoutKey,
  type KeyIndex,
  type Message,
  type MessageEventData,
  type MessageEventType,
  type StoredMessage,
} from '../domain/messages';
import type { MessageOutbox, StateStore } from './ports';

export const reservationIndexKey = (reservationId: string): string => `messages-by-reservation:${reservationId}`;
export const recipientIndexKey = (recipientId: string): string => `messages-by-recipient:${recipientId}`;
export const UNDELIVERED_INDEX_KEY = 'messages-undelivered';
export const contextKey = (reservationId: string): string => `reservation-context:${reservationId}`;

/** What a Reservation* event tells about the stay, kept so later texts (payment, car) can name it too. */
type StayContext = Pick<MessageEventData, 'roomId' | 'roomName' | 'city' | 'checkIn' | 'checkOut' | 'amount' | 'currency'>;
const CONTEXT_FIELDS = ['roomId', 'roomName', 'city', 'checkIn', 'checkOut', 'amount', 'currency'] as const;

const MAX_ATTEMPTS = 12;

const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random())));

export interface MessageServiceOptions {
  store: StateStore;
  outbox: MessageOutbox;
  cityName: string;
  logger: Logger;
  now?: () => Date;
}

/** A recipient's messages, or a reservation's (optionally only those addressed to `recipientId`). */
export type MessageScope = { reservationId: string; recipientId?: string } | { reservationId?: undefined; recipientId: string };
export type MessageQuery = MessageScope & { limit: number; offset: number };

export interface MessagePage {
  items: Message[];
  nextCursor: string | null;
}

/**
 * Stores exactly one message per (reservation, type) and hands it to the outbox.
 * Idempotent: the message key is deterministic and created with a create-only save, so a
 * redelivered (or reordered) event finds it and only finishes what may be missing (indexes,
 * delivery). A failed delivery keeps the message with `delivered: false` on the undelivered index,
 * which `retryUndelivered` works through.
 */
export class MessageService {
  private readonly now: () => Date;
  private retrying: Promise<number> | undefined;
  private undeliveredSeen = true;

  constructor(private readonly options: MessageServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Handles one event (idempotent). Returns the message as stored. */
  async record(type: MessageEventType, data: MessageEventData): Promise<StoredMessage> {
    const { store } = this.options;
    const key = messageKey(data.reservationId, type);
    const fresh = composeMessage(type, await this.withContext(type, data), this.options.cityName, this.now());
    let message: StoredMessage;
    let madeNow = true;
    try {
      await store.saveState({ key, value: fresh });
      message = fresh;
    } catch (error) {
      if (!(error instanceof EtagConflictError)) throw error;
      const existing = await store.getState<StoredMessage>(key);
      if (!existing) throw error;
      message = existing.value; // already made by an earlier delivery: finish what may be missing
      madeNow = false;
    }
    await this.addToIndex(reservationIndexKey(message.reservationId), key);
    await this.addToIndex(recipientIndexKey(message.recipientId), key);
    // A message made just now cannot be on the undelivered index yet: no need to read it.
    if (!message.delivered) message = await this.deliver(key, message, !madeNow);
    if (this.undeliveredSeen) void this.retryUndelivered();
    return message;
  }

  /**
   * Reservation* events carry the room and dates: keep them (create-only, first one wins). Other
   * events fill what they lack from it when it is known already (events come in any order).
   */
  private async withContext(type: MessageEventType, data: MessageEventData): Promise<MessageEventData> {
    const { store } = this.options;
    const key = contextKey(data.reservationId);
    if (type.startsWith('Reservation')) {
      const context: StayContext = Object.fromEntries(CONTEXT_FIELDS.filter((f) => data[f] !== undefined).map((f) => [f, data[f]]));
      await store.saveState({ key, value: context }).catch((error: unknown) => {
        if (!(error instanceof EtagConflictError)) throw error;
      });
      return data;
    }
    const known = (await store.getState<StayContext>(key))?.value;
    if (!known) return data;
    const filled: MessageEventData = { ...data };
    for (const field of CONTEXT_FIELDS) {
      if (filled[field] === undefined && known[field] !== undefined) (filled as Record<string, unknown>)[field] = known[field];
    }
    return filled;
  }

  /** Tries the outbox; on success marks the message delivered, on failure puts it on the undelivered index. */
  private async deliver(key: string, message: StoredMessage, mayBeListedUndelivered: boolean): Promise<StoredMessage> {
    try {
      await this.options.outbox.send({ ...toPublic(message) });
    } catch (error) {
      this.options.logger.warn({ messageId: message.id, err: error }, 'message binding failed; kept undelivered for a retry');
      await this.addToIndex(UNDELIVERED_INDEX_KEY, key);
      this.undeliveredSeen = true;
      return message;
    }
    const delivered = await this.markDelivered(key);
    if (mayBeListedUndelivered) await this.removeFromIndex(UNDELIVERED_INDEX_KEY, key);
    return delivered ?? { ...message, delivered: true };
  }

  private async markDelivered(key: string): Promise<StoredMessage | undefined> {
    const { store } = this.options;
    for (let attempt = 0; ; attempt++) {
      const current = await store.getState<StoredMessage>(key);
      if (!current) return undefined;
      if (current.value.delivered) return current.value;
      const value: StoredMessage = { ...current.value, delivered: true, deliveredAt: this.now().toISOString() };
      try {
        await store.saveState({ key, value, etag: current.etag });
        return value;
      } catch (error) {
        if (!(error instanceof EtagConflictError) || attempt >= MAX_ATTEMPTS) throw error;
        await pause(attempt);
      }
    }
  }

  /** Goes through the undelivered index once; returns how many are still undelivered. Never runs twice at once. */
  retryUndelivered(): Promise<number> {
    this.retrying ??= this.retryOnce().finally(() => {
      this.retrying = undefined;
    });
    return this.retrying;
  }

  private async retryOnce(): Promise<number> {
    const { store, logger } = this.options;
    try {
      const index = await store.getState<KeyIndex>(UNDELIVERED_INDEX_KEY);
      const keys = index?.value.keys ?? [];
      if (keys.length === 0) {
        this.undeliveredSeen = false;
        return 0;
      }
      const messages = await store.getStates<StoredMessage>(keys);
      let left = 0;
      for (const key of keys) {
        const found = messages.get(key);
        if (!found || found.value.delivered) {
          await this.removeFromIndex(UNDELIVERED_INDEX_KEY, key);
          continue;
        }
        try {
          await this.options.outbox.send({ ...toPublic(found.value) });
        } catch {
          left++;
          continue;
        }
        await this.markDelivered(key);
        await this.removeFromIndex(UNDELIVERED_INDEX_KEY, key);
      }
      if (left > 0) logger.warn({ undelivered: left }, 'messages still undelivered; will retry');
      return left;
    } catch (error) {
      logger.warn({ err: error }, 'retry of undelivered messages failed; will retry');
      return -1;
    }
  }

  /** Idempotent ETag-guarded append (create-only when the index does not exist yet). */
  private addToIndex(indexKey: string, key: string): Promise<void> {
    return this.updateIndex(indexKey, (index) => withKey(index, key));
  }

  private removeFromIndex(indexKey: string, key: string): Promise<void> {
    return this.updateIndex(indexKey, (index) => withoutKey(index, key));
  }

  private async updateIndex(indexKey: string, change: (index: KeyIndex | undefined) => KeyIndex | undefined): Promise<void> {
    const { store } = this.options;
    for (let attempt = 0; ; attempt++) {
      const current = await store.getState<KeyIndex>(indexKey);
      const next = change(current?.value);
      if (!next) return; // nothing to change
      try {
        await store.saveState({ key: indexKey, value: next, etag: current?.etag });
        return;
      } catch (error) {
        if (!(error instanceof EtagConflictError) || attempt >= MAX_ATTEMPTS) throw error;
        await pause(attempt);
      }
    }
  }

  /**
   * Lists from one index key (never a scan), oldest first, offset cursor: a recipient's messages
   * from their index; a reservation's from its index (at most one message per event type), only
   * those addressed to `recipientId` when it is given, filtered before paging.
   */
  async list(query: MessageQuery): Promise<MessagePage> {
    const { store } = this.options;
    const { limit, offset } = query;
    if (query.reservationId === undefined) {
      const keys = (await store.getState<KeyIndex>(recipientIndexKey(query.recipientId)))?.value.keys ?? [];
      const slice = keys.slice(offset, offset + limit);
      const found = await store.getStates<StoredMessage>(slice);
      const items = slice
        .map((key) => found.get(key)?.value)
        .filter((m): m is StoredMessage => m !== undefined)
        .map(toPublic);
      const end = offset + slice.length;
      return { items, nextCursor: end < keys.length ? encodeCursor(end) : null };
    }
    const { recipientId } = query;
    const keys = (await store.getState<KeyIndex>(reservationIndexKey(query.reservationId)))?.value.keys ?? [];
    const found = await store.getStates<StoredMessage>(keys);
    const all = keys
      .map((key) => found.get(key)?.value)
      .filter((m): m is StoredMessage => m !== undefined && (recipientId === undefined || m.recipientId === recipientId));
    const end = Math.min(offset + limit, all.length);
    return { items: all.slice(offset, end).map(toPublic), nextCursor: end < all.length ? encodeCursor(end) : null };
  }
}

export { decodeCursor };
