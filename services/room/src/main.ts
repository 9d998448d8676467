import { createLogger, randomId, runMain, runService, Sidecar, stateStoreAnswers } from '@staycar/common';
import { roomKeys } from './adapters/state';
import { roomUseCases } from './app';
import { loadConfig } from './config';
import { createApp } from './http/app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const sidecar = Sidecar.create(config, logger);
  const useCases = roomUseCases({ state: sidecar, keys: roomKeys, logger, now: () => new Date(), newId: randomId }, config);
  const app = createApp({
    config,
    logger,
    ...useCases,
    sidecarHealthy: () => sidecar.isHealthy(),
    storeHealthy: stateStoreAnswers(sidecar),
  });
  await runService({ app, port: config.port, logger, sidecar });
}

runMain(main);
