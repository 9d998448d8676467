import { randomUUID } from 'node:crypto';
import { createLogger, failuresAsTryLater, runService, Sidecar, runMain, stateStoreAnswers } from '@staycar/common';
import { loadConfig } from './config';
import { createApp } from './http/app';
import { reservationUseCases } from './app';
import { reservationDeps } from './app/deps';
import { startRecovery } from './app/recover';
import { reservationFailures } from './adapters/failures';
import { DaprCarCalendar, DaprPaymentGateway, DaprRoomCalendar } from './adapters/invocation';
import { StateGuestIndex, StateIdempotencyStore, StateReservationRepository, StateSagaLog, StateStayEndIndex } from './adapters/store';
import { fileClock } from './adapters/testClock';
import { pausesAsked, withSagaPauses } from './adapters/testPauses';
import { reservationMetrics } from './adapters/metrics';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const sidecar = Sidecar.create(config, logger);
  const state = failuresAsTryLater(sidecar, reservationFailures(config.retryAfterSeconds, logger));
  const callee = (appId: string) => ({ sidecar, appId, retryAfterSeconds: config.retryAfterSeconds, logger });
  const paymentGateway = new DaprPaymentGateway(callee(config.paymentAppId));
  // Test only: the e2e crash tests pause the saga (SAGA_PAUSE_AFTER_*_MS) to kill the process mid-way.
  const payments = pausesAsked(config) ? withSagaPauses(paymentGateway, config, logger) : paymentGateway;
  const deps = reservationDeps({
    rooms: new DaprRoomCalendar(callee(config.roomAppId)),
    cars: new DaprCarCalendar(callee(config.rentcarAppId)),
    payments,
    reservations: new StateReservationRepository(state),
    guests: new StateGuestIndex(state, config),
    stayEnds: new StateStayEndIndex(state, config.staysEndShards),
    idempotency: new StateIdempotencyStore(state, config.idempotencyTtlSeconds),
    sagas: new StateSagaLog(state, config.sagaSlots),
    logger,
    settings: config,
    newId: randomUUID,
    // Test only: the e2e tests move the stays-end job's clock through this file (never set in production).
    ...(config.testClockFile ? { jobClock: fileClock(config.testClockFile, logger) } : {}),
    metrics: reservationMetrics(),
  });
  if (config.testClockFile)
    logger.warn({ file: config.testClockFile }, 'STAYCAR_TEST_CLOCK_FILE is set: the stays-end job reads its clock from it (tests only)');
  const app = createApp({
    config,
    logger,
    reservations: reservationUseCases(deps),
    sidecarHealthy: () => sidecar.isHealthy(),
    storeHealthy: stateStoreAnswers(sidecar),
  });

  let stopRecovery = (): void => undefined;
  await runService({
    app,
    port: config.port,
    logger,
    sidecar,
    onReady: () => {
      stopRecovery = startRecovery(deps, config);
      return Promise.resolve();
    },
    onStop: () => Promise.resolve(stopRecovery()),
  });
}

runMain(main);
