import type { Express } from 'express';
import {
  createHttpApp,
  mountHoldRoutes,
  mountListingRoutes,
  mountSubscriptions,
  readinessChecks,
  reservationHandlers,
  type Logger,
  type ReadinessDeps,
} from '@staycar/common';
import type { RentcarUseCases } from '../app';
import type { Config } from '../config';
import { carNotFound } from '../domain/car';
import { CreateCarBody, PatchCarBody, ReservationEventData } from './schemas';

export interface AppDeps extends RentcarUseCases, ReadinessDeps {
  config: Pick<Config, 'pubsub' | 'eventsTopics' | 'deadLetterTopic' | 'bulk'>;
  logger: Logger;
}

export function createApp(deps: AppDeps): Express {
  const { config, logger, cars, calendar } = deps;
  const listing = { path: '/rentcars', idField: 'carId', notFound: carNotFound, listings: cars, stays: calendar };
  return createHttpApp({
    logger,
    readiness: readinessChecks(deps),
    routes: (app) => {
      // ---- public (through the gateway): POST/GET/PATCH/DELETE /rentcars, availability ----
      mountListingRoutes(app, { ...listing, createBody: CreateCarBody, patchBody: PatchCarBody });

      // ---- internal (Dapr service invocation only; docs/contracts.md): the saga's holds ----
      mountHoldRoutes(app, listing);

      // ---- events consumed (only reservations with a car) ----
      mountSubscriptions(app, {
        config,
        logger,
        handlers: reservationHandlers({ schema: ReservationEventData, listingOf: (data) => data.carId, stays: calendar }),
      });
    },
  });
}
