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
import type { CarService } from '../service';
import type { StayRequest } from '@staycar/common';
import { CreateCarBody, HoldBody, PatchCarBody, ReservationEventData, StayQuery } from './schemas';

export interface AppDeps {
  config: Pick<Config, 'pubsub' | 'eventsTopic' | 'deadLetterTopic'>;
  logger: Logger;
  cars: CarService;
  sidecarHealthy: () => Promise<boolean>;
  /** The state store answers a read through the sidecar. */
  storeHealthy?: () => Promise<boolean>;
}

/** The car id of the path, or 404 CAR_NOT_FOUND when it cannot be one. */
function carIdOf(req: Request): string {
  const id = String(req.params.id ?? '');
  if (!isClientId(id)) throw notFound('CAR_NOT_FOUND', 'No such car.');
  return id;
}

function reservationIdOf(req: Request): string {
  const id = String(req.params.reservationId ?? '');
  if (!isClientId(id)) throw validationFailed([{ field: 'reservationId', reason: 'has an invalid format' }]);
  return id;
}

/** The car stay a reservation event names (undefined: no car), or a poison event (dead-lettered). */
function carStayOf(event: DeliveredEvent): { carId: string; request: StayRequest } | undefined {
  let data: ReservationEventData;
  try {
    data = parseBody(ReservationEventData, event.data);
  } catch {
    throw new PoisonEventError(`${event.type} without a valid guestId, carId, checkIn, checkOut`);
  }
  if (!data.carId) return undefined;
  const reservationId = data.reservationId ?? data.id;
  if (!reservationId || rangeProblems(data).length > 0) throw new PoisonEventError(`${event.type} without a valid reservation id or stay`);
  return { carId: data.carId, request: { reservationId, guestId: data.guestId, checkIn: data.checkIn, checkOut: data.checkOut } };
}

export function createApp(deps: AppDeps): Express {
  const { config, logger, cars } = deps;
  return createHttpApp({
    logger,
    readiness: [
      { name: 'sidecar', check: deps.sidecarHealthy },
      ...(deps.storeHealthy ? [{ name: 'statestore', check: deps.storeHealthy }] : []),
    ],
    routes: (app) => {
      // ---- public (through the gateway) ----
      // Reads are public; every change needs the caller the gateway verified (401 without one).
      app.post('/rentcars', async (req, res) => {
        const caller = requireCaller(req);
        const body = parseBody(CreateCarBody, req.body);
        const car = await cars.register({ ...body, hostId: subjectOf(caller, body.hostId, 'hostId') });
        res.status(201).setHeader('Location', `/rentcars/${car.id}`).json(car);
      });
      app.get('/rentcars/:id', async (req, res) => {
        res.json(await cars.get(carIdOf(req)));
      });
      app.patch('/rentcars/:id', async (req, res) => {
        const caller = requireCaller(req);
        const id = carIdOf(req);
        res.json(await cars.modify(id, parseBody(PatchCarBody, req.body), caller));
      });
      app.delete('/rentcars/:id', async (req, res) => {
        const caller = requireCaller(req);
        await cars.remove(carIdOf(req), caller);
        res.status(204).end();
      });
      app.get('/rentcars/:id/availability', async (req, res) => {
        const id = carIdOf(req);
        const range = parseQuery(StayQuery, req.query);
        const available = await cars.availability(id, range);
        res.json({ carId: id, checkIn: range.checkIn, checkOut: range.checkOut, available });
      });

      // ---- internal (Dapr service invocation only; docs/contracts.md) ----
      // The saga's calls answer refusals (404, 409, 400) as 200 {rejected} (answersRejections): a
      // non-2xx would count as a failure for the caller's Dapr circuit breaker and retries.
      app.post(
        '/internal/rentcars/:id/holds',
        answersRejections(async (req, res) => {
          const id = carIdOf(req);
          const body = parseBody(HoldBody, req.body);
          assertValidRange(body);
          const { hold, created } = await cars.hold(id, body);
          res.status(created ? 201 : 200).json(hold);
        }),
      );
      app.delete(
        '/internal/rentcars/:id/holds/:reservationId',
        answersRejections(async (req, res) => {
          const id = carIdOf(req);
          await cars.releaseHold(id, reservationIdOf(req));
          res.status(204).end();
        }),
      );
      app.post('/internal/rentcars/:id/holds/:reservationId/confirm', async (req, res) => {
        const id = carIdOf(req);
        res.json(await cars.confirmHold(id, reservationIdOf(req)));
      });

      // ---- events consumed (only reservations with a car) ----
      mountSubscriptions(app, {
        pubsub: config.pubsub,
        topic: config.eventsTopic,
        deadLetterTopic: config.deadLetterTopic,
        logger,
        handlers: {
          /** Idempotent: books once and publishes RentcarReserved once; a cancelled one is never booked. */
          ReservationConfirmed: async (event) => {
            const stay = carStayOf(event);
            if (stay) await cars.bookConfirmed(stay.carId, stay.request);
          },
          /** Idempotent: frees once, publishes RentcarReleased once, tombstone against a late confirm. */
          ReservationCancelled: async (event) => {
            const stay = carStayOf(event);
            if (stay) await cars.cancelReservation(stay.carId, stay.request);
          },
        },
      });
    },
  });
}
