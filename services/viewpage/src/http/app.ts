import type { Express } from 'express';
import {
  createHttpApp,
  isClientId,
  mountSubscriptions,
  notFound,
  parseBody,
  parseQuery,
  PoisonEventError,
  requireCaller,
  validationFailed,
  type DeliveredEvent,
  type Logger,
} from '@staycar/common';
import type { Config } from '../config';
import { VIEW_EVENTS, type ViewEvent, type ViewEventType } from '../domain/events';
import { decodeIdCursor, decodeUpdatedCursor, type ViewService } from '../service/viewService';
import { CarsQuery, RoomsQuery, RoomViewsQuery } from './schemas';

export interface AppDeps {
  config: Pick<Config, 'pubsub' | 'eventsTopic' | 'deadLetterTopic'>;
  logger: Logger;
  view: ViewService;
  sidecarHealthy: () => Promise<boolean>;
  databaseHealthy: () => Promise<boolean>;
}

/** Validates an event's data; a snapshot may carry its aggregate id as `id`. Unusable data is dropped. */
export function toViewEvent(type: ViewEventType, raw: unknown): ViewEvent {
  if (typeof raw !== 'object' || raw === null) throw new PoisonEventError(`${type} without data`);
  const { schema, idField } = VIEW_EVENTS[type];
  const data = { ...(raw as Record<string, unknown>) };
  if (idField && data[idField] === undefined && typeof data.id === 'string') data[idField] = data.id;
  const picked = Object.fromEntries(
    Object.keys(schema.properties)
      .filter((k) => data[k] !== undefined)
      .map((k) => [k, data[k]]),
  );
  try {
    return { type, data: parseBody(schema, picked) } as ViewEvent;
  } catch (error) {
    throw new PoisonEventError(`${type} data is not usable: ${(error as Error).message}`);
  }
}

const badCursor = () => validationFailed([{ field: 'cursor', reason: 'is not a cursor this service made' }]);

export function createApp(deps: AppDeps): Express {
  const { config, logger, view } = deps;
  return createHttpApp({
    logger,
    readiness: [
      { name: 'sidecar', check: deps.sidecarHealthy },
      { name: 'database', check: deps.databaseHealthy },
    ],
    routes: (app) => {
      // The view shows a host their own rooms (an operator every room); to anyone else a room's
      // view does not exist (404). A caller is needed (401). The catalog lists below stay public.
      app.get('/roomviews', async (req, res) => {
        const caller = requireCaller(req);
        const q = parseQuery(RoomViewsQuery, req.query);
        const after = q.cursor === undefined ? undefined : decodeUpdatedCursor(q.cursor);
        if (q.cursor !== undefined && !after) throw badCursor();
        res.json(await view.roomViews({ city: q.city, hostId: caller.operator ? undefined : caller.userId, limit: q.limit, after }));
      });

      app.get('/roomviews/:roomId', async (req, res) => {
        const caller = requireCaller(req);
        const roomId = String(req.params.roomId);
        const found = isClientId(roomId) ? await view.roomView(roomId, caller) : undefined;
        if (!found) throw notFound('NOT_FOUND', 'No such room in the view.');
        res.json(found);
      });

      app.get('/rooms', async (req, res) => {
        const q = parseQuery(RoomsQuery, req.query);
        const after = q.cursor === undefined ? undefined : decodeIdCursor(q.cursor);
        if (q.cursor !== undefined && after === undefined) throw badCursor();
        res.json(await view.rooms({ city: q.city, hostId: q.hostId, limit: q.limit, after }));
      });

      app.get('/rentcars', async (req, res) => {
        const q = parseQuery(CarsQuery, req.query);
        const after = q.cursor === undefined ? undefined : decodeIdCursor(q.cursor);
        if (q.cursor !== undefined && after === undefined) throw badCursor();
        res.json(await view.cars({ city: q.city, limit: q.limit, after }));
      });

      // Every event type of docs/contracts.md → the projection (idempotent, order-tolerant reducers).
      const handlers = Object.fromEntries(
        (Object.keys(VIEW_EVENTS) as ViewEventType[]).map((type) => [
          type,
          async (event: DeliveredEvent) => {
            await view.apply(toViewEvent(type, event.data));
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
