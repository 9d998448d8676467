import type { Express } from 'express';
import {
  createHttpApp,
  mountSubscriptions,
  parseBody,
  parseQuery,
  PoisonEventError,
  readSubjectOf,
  requireCaller,
  validationFailed,
  type Caller,
  type Logger,
} from '@staycar/common';
import type { Config } from '../config';
import { MESSAGE_EVENT_TYPES, MessageEventData, type MessageEventType } from '../domain/messages';
import { decodeCursor, type MessageScope, type MessageService } from '../service/messageService';
import { MessagesQuery } from './schemas';

export interface AppDeps {
  config: Pick<Config, 'pubsub' | 'eventsTopic' | 'deadLetterTopic'>;
  logger: Logger;
  messages: MessageService;
  sidecarHealthy: () => Promise<boolean>;
  storeHealthy?: () => Promise<boolean>;
}

/** Reservation events carry the reservation as a whole: accept its `id` when `reservationId` is missing. */
function eventData(type: MessageEventType, raw: unknown): MessageEventData {
  if (typeof raw !== 'object' || raw === null) throw new PoisonEventError(`${type} without data`);
  const data = { ...(raw as Record<string, unknown>) };
  if (data.reservationId === undefined && type.startsWith('Reservation') && typeof data.id === 'string') data.reservationId = data.id;
  const picked = Object.fromEntries(
    Object.keys(MessageEventData.properties)
      .filter((k) => data[k] !== undefined)
      .map((k) => [k, data[k]]),
  );
  try {
    return parseBody(MessageEventData, picked);
  } catch (error) {
    throw new PoisonEventError(`${type} data is not usable: ${(error as Error).message}`);
  }
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
    readiness: [
      { name: 'sidecar', check: deps.sidecarHealthy },
      ...(deps.storeHealthy ? [{ name: 'statestore', check: deps.storeHealthy }] : []),
    ],
    routes: (app) => {
      app.get('/messages', async (req, res) => {
        const caller = requireCaller(req);
        const query = parseQuery(MessagesQuery, req.query);
        const offset = query.cursor === undefined ? 0 : decodeCursor(query.cursor);
        if (offset === undefined) throw validationFailed([{ field: 'cursor', reason: 'is not a cursor this service made' }]);
        res.json(await messages.list({ ...scopeOf(caller, query), limit: query.limit, offset }));
      });

      // Idempotent handlers: one message per (reservationId, type), whatever the delivery count or order.
      const handlers = Object.fromEntries(
        MESSAGE_EVENT_TYPES.map((type) => [
          type,
          async (event: { data: unknown }) => {
            await messages.record(type, eventData(type, event.data));
          },
        ]),
      );
      mountSubscriptions(app, {
        pubsub: config.pubsub,
        topic: config.eventsTopic,
        deadLetterTopic: config.deadLetterTopic,
        logger,
        handlers,
      });
    },
  });
}
