import { createLogger, runService, Sidecar, runMain } from '@staycar/common';
import { loadConfig } from './config';
import { createApp } from './http/app';
import { CarService } from './service';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const sidecar = Sidecar.create(config, logger);
  const cars = new CarService({ state: sidecar, logger, holdTtlSeconds: config.holdTtlSeconds, writeAttempts: config.writeAttempts });
  const app = createApp({
    config,
    logger,
    cars,
    sidecarHealthy: () => sidecar.isHealthy(),
    storeHealthy: () => sidecar.getState('readyz-probe').then(() => true),
  });
  await runService({ app, port: config.port, logger, sidecar });
}

runMain(main);
