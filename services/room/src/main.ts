import { createLogger, runService, Sidecar, runMain, stateStoreAnswers } from '@staycar/common';
import { loadConfig } from './config';
import { createApp } from './http/app';
import { RoomService } from './service';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const sidecar = Sidecar.create(config, logger);
  const rooms = new RoomService({ state: sidecar, logger, holdTtlSeconds: config.holdTtlSeconds, writeAttempts: config.writeAttempts });
  const app = createApp({
    config,
    logger,
    rooms,
    sidecarHealthy: () => sidecar.isHealthy(),
    storeHealthy: stateStoreAnswers(sidecar),
  });
  await runService({ app, port: config.port, logger, sidecar });
}

runMain(main);
