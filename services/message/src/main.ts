import { createLogger, runService, Sidecar, runMain, stateStoreAnswers } from '@staycar/common';
import { DaprMessageOutbox } from './adapters/daprMessageOutbox';
import { loadConfig } from './config';
import { createApp } from './http/app';
import { MessageService } from './service/messageService';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const sidecar = Sidecar.create(config, logger);
  const messages = new MessageService({
    store: sidecar,
    outbox: new DaprMessageOutbox(sidecar, config.messageBinding),
    cityName: config.cityName,
    logger,
  });
  const app = createApp({
    config,
    logger,
    messages,
    sidecarHealthy: () => sidecar.isHealthy(),
    storeHealthy: stateStoreAnswers(sidecar),
  });
  let timer: NodeJS.Timeout | undefined;
  await runService({
    app,
    port: config.port,
    logger,
    sidecar,
    onReady: () => {
      timer = setInterval(() => void messages.retryUndelivered(), config.retryIntervalMs);
      timer.unref();
      return Promise.resolve();
    },
    onStop: () => {
      if (timer) clearInterval(timer);
      return Promise.resolve();
    },
  });
}

runMain(main);
