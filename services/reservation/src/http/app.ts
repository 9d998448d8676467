import type { Express, Request, Response } from 'express';
import {
  createHttpApp,
  isClientId,
  mountSubscriptions,
  notFound,
  parseBody,
  parseQuery,
  readSubjectOf,
  requireCaller,
  subjectOf,
  validationFailed,
  type Logger,
} from '@staycar/common';
import type { Config } from '../config';
import type { Answer, ReservationService } from '../service';
import { CancelBody, CreateReservationBody, ListReservationsQuery } from './schemas';

export interface AppDeps {
  config: Pick<Config, 'pubsub' | 'eventsTopic' | 'deadLetterTopic'>;
  logger: Logger;
  service: ReservationService;
  sidecarHealthy: () => Promise<boolean>;
  /** The state store answers a read through the sidecar. */
  storeHealthy?: () => Promise<boolean>;
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
function idParam(req: Request): string {
  const id = String(req.params.id);
  if (!isClientId(id)) throw notFound('NOT_FOUND', 'No such reservation.');
  return id;
}

function send(res: Response, answer: Answer): void {
  if (answer.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(answer.retryAfterSeconds));
  res.status(answer.status).json(answer.body);
}

export function createApp(deps: AppDeps): Express {
  const { config, logger, service } = deps;
  return createHttpApp({
    logger,
    readiness: [
      { name: 'sidecar', check: deps.sidecarHealthy },
      ...(deps.storeHealthy ? [{ name: 'statestore', check: deps.storeHealthy }] : []),
    ],
    // Every public route needs the caller the gateway verified (401 without one). A reservation is
    // the guest's: others are told it does not exist; operators may read it, never act on it.
    routes: (app) => {
      app.post('/reservations', async (req, res) => {
        const caller = requireCaller(req);
        const key = idempotencyKeyOf(req);
        const body = parseBody(CreateReservationBody, req.body);
        const answer = await service.create({ ...body, guestId: subjectOf(caller, body.guestId, 'guestId') }, key);
        if (answer.status === 201) res.setHeader('Location', `/reservations/${(answer.body as { id: string }).id}`);
        send(res, answer);
      });

      app.get('/reservations', async (req, res) => {
        const caller = requireCaller(req);
        const query = parseQuery(ListReservationsQuery, req.query);
        res.json(await service.list(readSubjectOf(caller, query.guestId, 'guestId'), query.limit, query.cursor));
      });

      app.get('/reservations/:id', async (req, res) => {
        const caller = requireCaller(req);
        res.json(await service.get(idParam(req), caller));
      });

      app.post('/reservations/:id/cancel', async (req, res) => {
        const caller = requireCaller(req);
        const id = idParam(req);
        const body: unknown = req.body;
        if (body !== undefined && !(typeof body === 'object' && body !== null && Object.keys(body).length === 0)) {
          parseBody(CancelBody, body);
        }
        res.json(await service.cancel(id, caller));
      });

      // Nothing consumed yet: PaymentRefunded → refundedAt is optional in docs/contracts.md.
      mountSubscriptions(app, {
        pubsub: config.pubsub,
        topic: config.eventsTopic,
        deadLetterTopic: config.deadLetterTopic,
        logger,
        handlers: {},
      });
    },
  });
}
