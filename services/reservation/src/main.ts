import { randomUUID } from 'node:crypto';
import { createLogger, runService, Sidecar, runMain, stateStoreAnswers } from '@staycar/common';
import { loadConfig } from './config';
import { createApp } from './http/app';
import { DaprCarCalendar, DaprPaymentGateway, DaprRoomCalendar } from './adapters/invocation';
import { DaprGuestIndex, DaprIdempotencyStore, DaprReservationRepository, DaprSagaLog } from './adapters/store';
import { ReservationService } from './service';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const sidecar = Sidecar.create(config, logger);
  const service = new ReservationService({
    rooms: new DaprRoomCalendar(sidecar, config.roomAppId),
    cars: new DaprCarCalendar(sidecar, config.rentcarAppId),
    payments: new DaprPaymentGateway(sidecar, config.paymentAppId),
    reservations: new DaprReservationRepository(sidecar),
    guests: new DaprGuestIndex(sidecar),
    idempotency: new DaprIdempotencyStore(sidecar, config.idempotencyTtlSeconds),
    sagas: new DaprSagaLog(sidecar, config.sagaIndexShards),
    logger,
    settings: config,
    newId: randomUUID,
  });
  const app = createApp({
    config,
    logger,
    service,
    sidecarHealthy: () => sidecar.isHealthy(),
    storeHealthy: stateStoreAnswers(sidecar),
  });

  // Start-up recovery of sagas a crash interrupted; records too young are looked at again later.
  const startedAt = new Date();
  const recover = async (): Promise<void> => {
    try {
      const result = await service.recover(startedAt);
      if (result.recovered + result.finished > 0) logger.info(result, 'saga recovery done');
      if (result.young > 0) setTimeout(() => void recover(), config.sagaRecoveryMinAgeMs).unref();
    } catch (error) {
      logger.warn({ err: error }, 'saga recovery failed; retrying shortly');
      setTimeout(() => void recover(), Math.max(config.sagaRecoveryMinAgeMs, 2_000)).unref();
    }
  };
  // The sweep: sagas whose compensation failed (a dependency down then) are undone later.
  let sweeping = false;
  const sweep = async (): Promise<void> => {
    if (sweeping) return;
    sweeping = true;
    try {
      const result = await service.recover(new Date(), config.sagaStaleAfterMs);
      if (result.recovered + result.finished > 0) logger.info(result, 'saga sweep done');
    } catch (error) {
      logger.warn({ err: error }, 'saga sweep failed; next interval retries');
    } finally {
      sweeping = false;
    }
  };
  setInterval(() => void sweep(), config.sagaSweepIntervalMs).unref();
  await runService({ app, port: config.port, logger, sidecar, onReady: recover });
}

runMain(main);
