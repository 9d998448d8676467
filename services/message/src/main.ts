import { createLogger, runMain, runService, Sidecar, stateStoreAnswers } from '@staycar/common';
import { DaprMessageBinding } from './adapters/daprMessageBinding';
import { messageUseCases } from './app';
import { loadConfig } from './config';
import { createApp } from './http/app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const sidecar = Sidecar.create(config, logger);
  const messages = messageUseCases({
    state: sidecar,
    binding: new DaprMessageBinding(sidecar, config.messageBinding),
    cityName: config.cityName,
    logger,
    clock: () => new Date(),
  });
  const app = createApp({
    config,
    logger,
    messages,
    sidecarHealthy: () => sidecar.isHealthy(),
    storeHealthy: stateStoreAnswers(sidecar),
  });
  let stopRetries: (() => void) | undefined;
  await runService({
    app,
    port: config.port,
    logger,
    sidecar,
    onReady: () => {
      stopRetries = messages.retries.start(config.retryIntervalMs);
      return Promise.resolve();
    },
    onStop: () => {
      stopRetries?.();
      return Promise.resolve();
    },
  });
}

runMain(main);
