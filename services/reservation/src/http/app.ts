import type { Express, Request, Response } from 'express';
import { createHttpApp, mountSubscriptions, notFound, parseBody, parseQuery, validationFailed, type Logger } from '@staycar/common';
import type { Config } from '../config';
import { stayProblems } from '../domain/reservation';
import type { Answer, ReservationService } from '../service';
import { CancelBody, CreateReservationBody, ID_PATTERN, ListReservationsQuery } from './schemas';

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

function idParam(req: Request): string {
  const id = String(req.params.id);
  if (!ID_PATTERN.test(id)) throw notFound('NOT_FOUND', 'No such reservation.');
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
    routes: (app) => {
      app.post('/reservations', async (req, res) => {
        const key = idempotencyKeyOf(req);
        const body = parseBody(CreateReservationBody, req.body);
        const problems = stayProblems(body.checkIn, body.checkOut);
        if (problems.length > 0) throw validationFailed(problems);
        const answer = await service.create(body, key);
        if (answer.status === 201) res.setHeader('Location', `/reservations/${(answer.body as { id: string }).id}`);
        send(res, answer);
      });

      app.get('/reservations', async (req, res) => {
        const query = parseQuery(ListReservationsQuery, req.query);
        res.json(await service.list(query.guestId, query.limit, query.cursor));
      });

      app.get('/reservations/:id', async (req, res) => {
        res.json(await service.get(idParam(req)));
      });

      app.post('/reservations/:id/cancel', async (req, res) => {
        const id = idParam(req);
        if (req.body !== undefined && !(typeof req.body === 'object' && req.body !== null && Object.keys(req.body).length === 0)) {
          parseBody(CancelBody, req.body);
        }
        res.json(await service.cancel(id));
      });

      // Nothing consumed yet: PaymentRefunded → refundedAt is optional in docs/contracts.md.
      mountSubscriptions(app, { pubsub: config.pubsub, topic: config.eventsTopic, deadLetterTopic: config.deadLetterTopic, logger, handlers: {} });
    },
  });
}
