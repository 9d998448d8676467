import type { Express } from 'express';
import {
  createHttpApp,
  mountSubscriptions,
  parseQuery,
  pathId,
  readinessChecks,
  requireCaller,
  type DeliveredEvent,
  type Logger,
} from '@staycar/common';
import type { Config } from '../config';
import type { ViewEvent, ViewEventType } from '../domain/events';
import { noSuchRoomView, type Page, type ViewReader } from '../app/read';
import { sendPrivateJson, viewScope } from './conditional';
import { idCursor, updatedCursor } from './cursors';
import { toViewEvent, VIEW_EVENT_TYPES } from './events';
import { CarsQuery, RoomsQuery, RoomViewsQuery } from './schemas';
import type { RoomSearcher } from '../app/search';
import { mountSearchRoutes } from './search';

export interface AppDeps {
  config: Pick<Config, 'pubsub' | 'eventsTopics' | 'deadLetterTopic' | 'bulk'>;
  logger: Logger;
  reader: ViewReader;
  /** GET /search/rooms (app/search.ts). */
  searcher: RoomSearcher;
  /** Folds one event into the view (app/project.ts). */
  project: (event: ViewEvent) => Promise<unknown>;
  /** Folds a batch of events into the view in one transaction, all or none (app/project.ts). */
  projectBatch: (events: ViewEvent[]) => Promise<unknown>;
  sidecarHealthy: () => Promise<boolean>;
  databaseHealthy: () => Promise<boolean>;
}

/** A page as API.md answers it: the items and an opaque `nextCursor` (null on the last page). */
const answer = <T, P>(page: Page<T, P>, cursor: { encode: (position: P) => string }) => ({
  items: page.items,
  nextCursor: page.next === undefined ? null : cursor.encode(page.next),
});

export function createApp(deps: AppDeps): Express {
  const { config, logger, reader } = deps;
  return createHttpApp({
    logger,
    readiness: readinessChecks({ sidecarHealthy: deps.sidecarHealthy, storeHealthy: deps.databaseHealthy }, 'database'),
    routes: (app) => {
      // The view shows a host their own rooms (an operator every room); to anyone else a room's
      // view does not exist (404). A caller is needed (401). The catalog lists below stay public.
      app.get('/roomviews', async (req, res) => {
        const caller = requireCaller(req);
        const q = parseQuery(RoomViewsQuery, req.query);
        const after = q.cursor === undefined ? undefined : updatedCursor.decode(q.cursor);
        const page = await reader.roomViews({ city: q.city, hostId: caller.operator ? undefined : caller.userId, limit: q.limit, after });
        sendPrivateJson(req, res, viewScope(caller), answer(page, updatedCursor));
      });

      app.get('/roomviews/:roomId', async (req, res) => {
        const caller = requireCaller(req);
        sendPrivateJson(req, res, viewScope(caller), await reader.roomView(pathId(req, 'roomId', noSuchRoomView), caller));
      });

      app.get('/rooms', async (req, res) => {
        const q = parseQuery(RoomsQuery, req.query);
        const after = q.cursor === undefined ? undefined : idCursor.decode(q.cursor);
        res.json(answer(await reader.rooms({ city: q.city, hostId: q.hostId, limit: q.limit, after }), idCursor));
      });

      app.get('/rentcars', async (req, res) => {
        const q = parseQuery(CarsQuery, req.query);
        const after = q.cursor === undefined ? undefined : idCursor.decode(q.cursor);
        res.json(answer(await reader.cars({ city: q.city, limit: q.limit, after }), idCursor));
      });

      mountSearchRoutes(app, deps.searcher);

      // Every event type of docs/contracts.md → the projection (idempotent, order-tolerant reducers).
      const handlers = Object.fromEntries(
        VIEW_EVENT_TYPES.map((type) => [
          type,
          async (event: DeliveredEvent) => {
            await deps.project(toViewEvent(type, event.data));
          },
        ]),
      );
      mountSubscriptions(app, {
        config,
        logger,
        handlers,
        // A bulk delivery's events in one transaction; an unusable one (PoisonEventError) fails the
        // batch, whose events then go through `handlers` one by one: only that one is dropped.
        batchHandler: async (events) => {
          await deps.projectBatch(events.map((event) => toViewEvent(event.type as ViewEventType, event.data)));
        },
      });
    },
  });
}
