import type { Express, Request } from 'express';
import {
  createHttpApp,
  mountSubscriptions,
  notFound,
  parseBody,
  parseQuery,
  pathId,
  readinessChecks,
  readSubjectOf,
  requireCaller,
  subjectOf,
  validationFailed,
  type Logger,
  type ReadinessDeps,
} from '@staycar/common';
import type { Config } from '../config';
import type { ReservationUseCases } from '../app';
import { CancelBody, CreateReservationBody, ListReservationsQuery } from './schemas';

export interface AppDeps extends ReadinessDeps {
  config: Pick<Config, 'pubsub' | 'eventsTopics' | 'deadLetterTopic' | 'bulk' | 'staysEndBinding'>;
  logger: Logger;
  reservations: ReservationUseCases;
}

const MAX_IDEMPOTENCY_KEY = 200;

function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.header('idempotency-key');
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY) {
    throw validationFailed([{ field: 'Idempotency-Key', reason: `must be 1..${MAX_IDEMPOTENCY_KEY} characters` }]);
  }
  return key;
}

/** Ids we made are UUIDs; anything outside the client-id alphabet cannot exist (and never reaches a state key). */
const reservationId = (req: Request) => pathId(req, 'id', () => notFound('NOT_FOUND', 'No such reservation.'));

export function createApp(deps: AppDeps): Express {
  const { config, logger, reservations } = deps;
  return createHttpApp({
    logger,
    readiness: readinessChecks(deps),
    // Every public route needs the caller the gateway verified (401 without one). A reservation is
    // the guest's: others are told it does not exist; operators may read it, never act on it.
    routes: (app) => {
      app.post('/reservations', async (req, res) => {
        const caller = requireCaller(req);
        const key = idempotencyKeyOf(req);
        const body = parseBody(CreateReservationBody, req.body);
        const { reservation } = await reservations.reserve({ ...body, guestId: subjectOf(caller, body.guestId, 'guestId') }, key);
        // A repeat of a key answers the first answer again (API.md): 201 with its Location, like the first.
        res.setHeader('Location', `/reservations/${reservation.id}`);
        res.status(201).json(reservation);
      });

      app.get('/reservations', async (req, res) => {
        const caller = requireCaller(req);
        const query = parseQuery(ListReservationsQuery, req.query);
        res.json(await reservations.list(readSubjectOf(caller, query.guestId, 'guestId'), query.limit, query.cursor));
      });

      app.get('/reservations/:id', async (req, res) => {
        const caller = requireCaller(req);
        res.json(await reservations.get(reservationId(req), caller));
      });

      app.post('/reservations/:id/cancel', async (req, res) => {
        const caller = requireCaller(req);
        const id = reservationId(req);
        const body: unknown = req.body;
        if (body !== undefined && !(typeof body === 'object' && body !== null && Object.keys(body).length === 0)) {
          parseBody(CancelBody, body);
        }
        res.json(await reservations.cancel(id, caller));
      });

      // What a cancel would refund now: the dashboard shows it before the guest confirms.
      app.get('/reservations/:id/cancellation', async (req, res) => {
        const caller = requireCaller(req);
        res.json(await reservations.cancellation(reservationId(req), caller));
      });

      // The cron input binding's trigger (daprd POSTs /<binding name> on its schedule, on every
      // replica; only this app's sidecar can, with APP_API_TOKEN). Never in the gateway's allow-list.
      app.post(`/${config.staysEndBinding}`, async (_req, res) => {
        res.json(await reservations.completeEndedStays());
      });

      // Nothing consumed yet: PaymentRefunded → refundedAt is optional in docs/contracts.md.
      mountSubscriptions(app, {
        config,
        logger,
        handlers: {},
      });
    },
  });
}
