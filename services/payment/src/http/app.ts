import type { Express } from 'express';
import {
  answersRejections,
  createHttpApp,
  mountSubscriptions,
  notFound,
  parseBody,
  parseEventData,
  parseQuery,
  pathId,
  readinessChecks,
  requireCaller,
  type Logger,
  type ReadinessDeps,
} from '@staycar/common';
import { noPayment, type PaymentUseCases } from '../app';
import type { Config } from '../config';
import { ApproveBody, CancelledEventData, ListPaymentsQuery } from './schemas';

export interface AppDeps extends ReadinessDeps {
  config: Pick<Config, 'pubsub' | 'eventsTopics' | 'deadLetterTopic' | 'bulk'>;
  logger: Logger;
  payments: PaymentUseCases;
}

const noPaymentForReservation = () => notFound('NOT_FOUND', 'No payment for this reservation.');

export function createApp(deps: AppDeps): Express {
  const { config, logger, payments } = deps;
  return createHttpApp({
    logger,
    readiness: readinessChecks(deps),
    routes: (app) => {
      // Public, read-only (through the gateway), for the guest of the payment's reservation or an
      // operator (401 without a caller); to anyone else a payment does not exist.
      app.get('/payments', async (req, res) => {
        const caller = requireCaller(req);
        const query = parseQuery(ListPaymentsQuery, req.query);
        const payment = await payments.byReservationFor(query.reservationId, caller);
        res.json({ items: payment ? [payment] : [], nextCursor: null });
      });

      app.get('/payments/:id', async (req, res) => {
        const caller = requireCaller(req);
        res.json(await payments.get(pathId(req, 'id', noPayment), caller));
      });

      // Internal: reached only by Dapr service invocation from `reservation` (not in the gateway's allow-list).
      // The saga's calls answer refusals (402, 404, 400) as 200 {rejected} (answersRejections): a
      // non-2xx would count as a failure for the caller's Dapr circuit breaker and retries.
      app.post(
        '/internal/payments',
        answersRejections(async (req, res) => {
          const body = parseBody(ApproveBody, req.body);
          const { created, payment } = await payments.approve(body);
          res.status(created ? 201 : 200).json(payment);
        }),
      );

      app.get('/internal/payments/by-reservation/:reservationId', async (req, res) => {
        const payment = await payments.byReservation(pathId(req, 'reservationId', noPayment));
        if (!payment) throw noPaymentForReservation();
        res.json(payment);
      });

      app.post(
        '/internal/payments/by-reservation/:reservationId/refund',
        answersRejections(async (req, res) => {
          const payment = await payments.refund(pathId(req, 'reservationId', noPayment));
          if (!payment) throw noPaymentForReservation();
          res.json(payment);
        }),
      );

      mountSubscriptions(app, {
        config,
        logger,
        handlers: {
          /** Idempotent: refunding twice changes nothing; before any payment it leaves a tombstone. By the cancel's `refundAmount`. */
          ReservationCancelled: async (event) => {
            const { reservationId, refundAmount } = parseEventData(CancelledEventData, event);
            await payments.refund(reservationId, refundAmount);
          },
        },
      });
    },
  });
}
