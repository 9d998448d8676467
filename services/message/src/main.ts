import { createLogger, runService, Sidecar } from '@staycar/common';
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
    storeHealthy: async () => {
      await sidecar.getState('readiness-probe');
      return true;
    },
  });
  let timer: NodeJS.Timeout | undefined;
  await runService({
    app,
    port: config.port,
    logger,
    sidecar,
    onReady: async () => {
      timer = setInterval(() => void messages.retryUndelivered(), config.retryIntervalMs);
      timer.unref();
    },
    onStop: async () => {
      if (timer) clearInterval(timer);
    },
  });
}

void main();
