import type { Express, Request } from 'express';
import {
  answersRejections,
  assertValidRange,
  createHttpApp,
  isClientId,
  mountSubscriptions,
  notFound,
  parseBody,
  parseQuery,
  PoisonEventError,
  rangeProblems,
  requireCaller,
  subjectOf,
  validationFailed,
  type DeliveredEvent,
  type Logger,
} from '@staycar/common';
import type { Config } from '../config';
import type { RoomService } from '../service';
import type { StayRequest } from '@staycar/common';
import { CreateReviewBody, CreateRoomBody, HoldBody, PatchRoomBody, ReservationEventData, ReviewsQuery, StayQuery } from './schemas';

export interface AppDeps {
  config: Pick<Config, 'pubsub' | 'eventsTopic' | 'deadLetterTopic'>;
  logger: Logger;
  rooms: RoomService;
  sidecarHealthy: () => Promise<boolean>;
  /** The state store answers a read through the sidecar. */
  storeHealthy?: () => Promise<boolean>;
}

/** The room id of the path, or 404 ROOM_NOT_FOUND when it cannot be one. */
function roomIdOf(req: Request): string {
  const id = String(req.params.id ?? '');
  if (!isClientId(id)) throw notFound('ROOM_NOT_FOUND', 'No such room.');
  return id;
}

/** The stay a reservation event names, or a poison event (dropped to the dead-letter topic). */
function stayOf(event: DeliveredEvent): { roomId: string; request: StayRequest } {
  let data: ReservationEventData;
  try {
    data = parseBody(ReservationEventData, event.data);
  } catch {
    throw new PoisonEventError(`${event.type} without a valid roomId, guestId, checkIn, checkOut`);
  }
  const reservationId = data.reservationId ?? data.id;
  if (!reservationId || rangeProblems(data).length > 0) throw new PoisonEventError(`${event.type} without a valid reservation id or stay`);
  return { roomId: data.roomId, request: { reservationId, guestId: data.guestId, checkIn: data.checkIn, checkOut: data.checkOut } };
}

export function createApp(deps: AppDeps): Express {
  const { config, logger, rooms } = deps;
  return createHttpApp({
    logger,
    readiness: [
      { name: 'sidecar', check: deps.sidecarHealthy },
      ...(deps.storeHealthy ? [{ name: 'statestore', check: deps.storeHealthy }] : []),
    ],
    routes: (app) => {
      // ---- public (through the gateway) ----
      // Reads are public; every change needs the caller the gateway verified (401 without one).
      app.post('/rooms', async (req, res) => {
        const caller = requireCaller(req);
        const body = parseBody(CreateRoomBody, req.body);
        const room = await rooms.register({ ...body, hostId: subjectOf(caller, body.hostId, 'hostId') });
        res.status(201).setHeader('Location', `/rooms/${room.id}`).json(room);
      });
      app.get('/rooms/:id', async (req, res) => {
        res.json(await rooms.get(roomIdOf(req)));
      });
      app.patch('/rooms/:id', async (req, res) => {
        const caller = requireCaller(req);
        const id = roomIdOf(req);
        res.json(await rooms.modify(id, parseBody(PatchRoomBody, req.body), caller));
      });
      app.delete('/rooms/:id', async (req, res) => {
        const caller = requireCaller(req);
        await rooms.remove(roomIdOf(req), caller);
        res.status(204).end();
      });
      app.get('/rooms/:id/availability', async (req, res) => {
        const id = roomIdOf(req);
        const range = parseQuery(StayQuery, req.query);
        const available = await rooms.availability(id, range);
        res.json({ roomId: id, checkIn: range.checkIn, checkOut: range.checkOut, available });
      });
      app.post('/rooms/:id/reviews', async (req, res) => {
        const caller = requireCaller(req);
        const id = roomIdOf(req);
        const body = parseBody(CreateReviewBody, req.body);
        res.status(201).json(await rooms.addReview(id, { ...body, guestId: caller.userId }));
      });
      app.get('/rooms/:id/reviews', async (req, res) => {
        const id = roomIdOf(req);
        const query = parseQuery(ReviewsQuery, req.query);
        res.json(await rooms.listReviews(id, query.limit, query.cursor));
      });

      // ---- internal (Dapr service invocation only; docs/contracts.md) ----
      // The saga's calls answer refusals (404, 409, 400) as 200 {rejected} (answersRejections): a
      // non-2xx would count as a failure for the caller's Dapr circuit breaker and retries.
      app.post(
        '/internal/rooms/:id/holds',
        answersRejections(async (req, res) => {
          const id = roomIdOf(req);
          const body = parseBody(HoldBody, req.body);
          assertValidRange(body);
          const { hold, created } = await rooms.hold(id, body);
          res.status(created ? 201 : 200).json(hold);
        }),
      );
      app.delete(
        '/internal/rooms/:id/holds/:reservationId',
        answersRejections(async (req, res) => {
          const id = roomIdOf(req);
          const reservationId = String(req.params.reservationId);
          if (!isClientId(reservationId)) throw validationFailed([{ field: 'reservationId', reason: 'has an invalid format' }]);
          await rooms.releaseHold(id, reservationId);
          res.status(204).end();
        }),
      );
      app.post('/internal/rooms/:id/holds/:reservationId/confirm', async (req, res) => {
        const id = roomIdOf(req);
        const reservationId = String(req.params.reservationId);
        if (!isClientId(reservationId)) throw validationFailed([{ field: 'reservationId', reason: 'has an invalid format' }]);
        res.json(await rooms.confirmHold(id, reservationId));
      });

      // ---- events consumed ----
      mountSubscriptions(app, {
        pubsub: config.pubsub,
        topic: config.eventsTopic,
        deadLetterTopic: config.deadLetterTopic,
        logger,
        handlers: {
          /** Idempotent: a booked entry stays booked; a cancelled one is never booked again. */
          ReservationConfirmed: async (event) => {
            const { roomId, request } = stayOf(event);
            await rooms.bookConfirmed(roomId, request);
          },
          /** Idempotent: frees the nights once and keeps a tombstone against a late hold/confirm. */
          ReservationCancelled: async (event) => {
            const { roomId, request } = stayOf(event);
            await rooms.cancelReservation(roomId, request);
          },
        },
      });
    },
  });
}
