import type { Express } from 'express';
import {
  createHttpApp,
  mountHoldRoutes,
  mountListingRoutes,
  mountSubscriptions,
  parseBody,
  parseQuery,
  pathId,
  readinessChecks,
  requireCaller,
  reservationHandlers,
  type Logger,
  type ReadinessDeps,
} from '@staycar/common';
import type { RoomUseCases } from '../app';
import type { Config } from '../config';
import { roomNotFound } from '../domain/room';
import { CreateReviewBody, CreateRoomBody, PatchRoomBody, ReservationEventData, reviewCursor, ReviewsQuery } from './schemas';

export interface AppDeps extends RoomUseCases, ReadinessDeps {
  config: Pick<Config, 'pubsub' | 'eventsTopics' | 'deadLetterTopic' | 'bulk'>;
  logger: Logger;
}

export function createApp(deps: AppDeps): Express {
  const { config, logger, rooms, calendar, reviews } = deps;
  const listing = { path: '/rooms', idField: 'roomId', notFound: roomNotFound, listings: rooms, stays: calendar };
  return createHttpApp({
    logger,
    readiness: readinessChecks(deps),
    routes: (app) => {
      // ---- public (through the gateway): POST/GET/PATCH/DELETE /rooms, availability ----
      mountListingRoutes(app, { ...listing, createBody: CreateRoomBody, patchBody: PatchRoomBody });
      app.post('/rooms/:id/reviews', async (req, res) => {
        const caller = requireCaller(req);
        const id = pathId(req, 'id', roomNotFound);
        const body = parseBody(CreateReviewBody, req.body);
        res.status(201).json(await reviews.add(id, { ...body, guestId: caller.userId }));
      });
      app.get('/rooms/:id/reviews', async (req, res) => {
        const id = pathId(req, 'id', roomNotFound);
        const query = parseQuery(ReviewsQuery, req.query);
        const from = query.cursor === undefined ? undefined : reviewCursor.decode(query.cursor).seq;
        const page = await reviews.list(id, query.limit, from);
        res.json({ items: page.items, nextCursor: page.nextSeq === null ? null : reviewCursor.encode({ seq: page.nextSeq }) });
      });

      // ---- internal (Dapr service invocation only; docs/contracts.md): the saga's holds ----
      mountHoldRoutes(app, listing);

      // ---- events consumed ----
      mountSubscriptions(app, {
        config,
        logger,
        handlers: reservationHandlers({ schema: ReservationEventData, listingOf: (data) => data.roomId, stays: calendar }),
      });
    },
  });
}
