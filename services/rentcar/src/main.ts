import { createLogger, randomId, runMain, runService, Sidecar, stateStoreAnswers } from '@staycar/common';
import { carKeys } from './adapters/state';
import { rentcarUseCases } from './app';
import { loadConfig } from './config';
import { createApp } from './http/app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const sidecar = Sidecar.create(config, logger);
  const useCases = rentcarUseCases({ state: sidecar, keys: carKeys, logger, now: () => new Date(), newId: randomId }, config);
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
