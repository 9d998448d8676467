import type { Express } from 'express';
import { createHttpApp, mountSubscriptions, parseBody, parseQuery, PoisonEventError, validationFailed, type Logger } from '@staycar/common';
import type { Config } from '../config';
import { MESSAGE_EVENT_TYPES, MessageEventData, type MessageEventType } from '../domain/messages';
import { decodeCursor, type MessageService } from '../service/messageService';
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
        const query = parseQuery(MessagesQuery, req.query);
        if (!query.reservationId && !query.recipientId) {
          throw validationFailed([{ field: 'reservationId', reason: 'reservationId or recipientId is required' }]);
        }
        const offset = query.cursor === undefined ? 0 : decodeCursor(query.cursor);
        if (offset === undefined) throw validationFailed([{ field: 'cursor', reason: 'is not a cursor this service made' }]);
        res.json(await messages.list({ reservationId: query.reservationId, recipientId: query.recipientId, limit: query.limit, offset }));
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
