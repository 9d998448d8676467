import type { Express, Request } from 'express';
import {
  answersRejections,
  ApiError,
  createHttpApp,
  isClientId,
  mountSubscriptions,
  notFound,
  parseBody,
  parseQuery,
  PoisonEventError,
  requireCaller,
  type Logger,
} from '@staycar/common';
import type { Config } from '../config';
import type { PaymentService } from '../service';
import { ApproveBody, CancelledEventData, ListPaymentsQuery } from './schemas';

export interface AppDeps {
  config: Pick<Config, 'pubsub' | 'eventsTopic' | 'deadLetterTopic'>;
  logger: Logger;
  service: PaymentService;
  sidecarHealthy: () => Promise<boolean>;
  /** The state store answers a read through the sidecar. */
  storeHealthy?: () => Promise<boolean>;
}

function param(req: Request, name: string, what: string): string {
  const value = String(req.params[name]);
  if (!isClientId(value)) throw notFound('NOT_FOUND', `No such ${what}.`);
  return value;
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
      // Public, read-only (through the gateway), for the guest of the payment's reservation or an
      // operator (401 without a caller); to anyone else a payment does not exist.
      app.get('/payments', async (req, res) => {
        const caller = requireCaller(req);
        const query = parseQuery(ListPaymentsQuery, req.query);
        const payment = await service.byReservationFor(query.reservationId, caller);
        res.json({ items: payment ? [payment] : [], nextCursor: null });
      });

      app.get('/payments/:id', async (req, res) => {
        const caller = requireCaller(req);
        res.json(await service.get(param(req, 'id', 'payment'), caller));
      });

      // Internal: reached only by Dapr service invocation from `reservation` (not in the gateway's allow-list).
      // The saga's calls answer refusals (402, 404, 400) as 200 {rejected} (answersRejections): a
      // non-2xx would count as a failure for the caller's Dapr circuit breaker and retries.
      app.post(
        '/internal/payments',
        answersRejections(async (req, res) => {
          const body = parseBody(ApproveBody, req.body);
          const { created, payment } = await service.approve(body);
          res.status(created ? 201 : 200).json(payment);
        }),
      );

      app.get('/internal/payments/by-reservation/:reservationId', async (req, res) => {
        const payment = await service.byReservation(param(req, 'reservationId', 'payment'));
        if (!payment) throw notFound('NOT_FOUND', 'No payment for this reservation.');
        res.json(payment);
      });

      app.post(
        '/internal/payments/by-reservation/:reservationId/refund',
        answersRejections(async (req, res) => {
          const payment = await service.refundReservation(param(req, 'reservationId', 'payment'));
          if (!payment) throw notFound('NOT_FOUND', 'No payment for this reservation.');
          res.json(payment);
        }),
      );

      mountSubscriptions(app, {
        pubsub: config.pubsub,
        topic: config.eventsTopic,
        deadLetterTopic: config.deadLetterTopic,
        logger,
        handlers: {
          /** Idempotent: refunding twice changes nothing; before any payment it leaves a tombstone. */
          ReservationCancelled: async (event) => {
            let data;
            try {
              data = parseBody(CancelledEventData, event.data);
            } catch (error) {
              throw new PoisonEventError(error instanceof ApiError ? JSON.stringify(error.details) : String(error));
            }
            await service.refundReservation(data.reservationId);
          },
        },
      });
    },
  });
}
