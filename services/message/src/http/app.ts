import type { Express } from 'express';
import {
  createHttpApp,
  mountSubscriptions,
  parseEventData,
  parseQuery,
  readinessChecks,
  readSubjectOf,
  requireCaller,
  type Caller,
  type DeliveredEvent,
  type Logger,
} from '@staycar/common';
import type { MessageScope, MessageUseCases } from '../app';
import type { Config } from '../config';
import { carriesStay, MESSAGE_EVENT_TYPES, MessageEventData, type MessageEventType } from '../domain/messages';
import { messageCursor, MessagesQuery } from './schemas';

export interface AppDeps {
  config: Pick<Config, 'pubsub' | 'eventsTopics' | 'deadLetterTopic' | 'bulk'>;
  logger: Logger;
  messages: Pick<MessageUseCases, 'record' | 'list'>;
  sidecarHealthy: () => Promise<boolean>;
  /** The message database answers (GET /readyz). */
  databaseHealthy?: () => Promise<boolean>;
}

/** Reservation events carry the reservation as a whole: its `id` stands in when `reservationId` is missing. */
function eventData(type: MessageEventType, event: DeliveredEvent): MessageEventData {
  const { data } = event;
  const isRecord = typeof data === 'object' && data !== null && !Array.isArray(data);
  if (isRecord && carriesStay(type) && !('reservationId' in data) && 'id' in data && typeof data.id === 'string') {
    return parseEventData(MessageEventData, { type: event.type, data: { ...data, reservationId: data.id } });
  }
  return parseEventData(MessageEventData, event);
}

/**
 * Whose messages a query lists (API.md, Messages): no query, the caller's; `?recipientId=` another
 * user is 403 unless the caller is an operator; `?reservationId=` only the messages addressed to the
 * caller (an operator: all of them, or those of `recipientId` when given).
 */
function scopeOf(caller: Caller, query: MessagesQuery): MessageScope {
  if (query.reservationId === undefined) return { recipientId: readSubjectOf(caller, query.recipientId, 'recipientId') };
  const everyone = caller.operator && query.recipientId === undefined;
  return {
    reservationId: query.reservationId,
    recipientId: everyone ? undefined : readSubjectOf(caller, query.recipientId, 'recipientId'),
  };
}

export function createApp(deps: AppDeps): Express {
  const { config, logger, messages } = deps;
  return createHttpApp({
    logger,
    readiness: readinessChecks({ sidecarHealthy: deps.sidecarHealthy, storeHealthy: deps.databaseHealthy }, 'database'),
    routes: (app) => {
      app.get('/messages', async (req, res) => {
        const caller = requireCaller(req);
        const query = parseQuery(MessagesQuery, req.query);
        const after = query.cursor === undefined ? undefined : messageCursor.decode(query.cursor).after;
        const page = await messages.list({ ...scopeOf(caller, query), limit: query.limit, after });
        res.json({ items: page.items, nextCursor: page.next === null ? null : messageCursor.encode({ after: page.next }) });
      });

      // Idempotent handlers: one message per (reservationId, type), whatever the delivery count or order.
      const handlers = Object.fromEntries(
        MESSAGE_EVENT_TYPES.map((type) => [
          type,
          async (event: DeliveredEvent) => {
            await messages.record(type, eventData(type, event));
          },
        ]),
      );
      mountSubscriptions(app, {
        config,
        logger,
        handlers,
      });
    },
  });
}
