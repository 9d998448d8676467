import { createLogger, runService, Sidecar, runMain, stateStoreAnswers } from '@staycar/common';
import { loadConfig } from './config';
import { createApp } from './http/app';
import { DaprPaymentStore } from './adapters/store';
import { PaymentService } from './service';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const sidecar = Sidecar.create(config, logger);
  const service = new PaymentService({
    store: new DaprPaymentStore(sidecar),
    logger,
    declinedToken: config.declinedToken,
    approveDelayMs: config.approveDelayMs,
  });
  const app = createApp({
    config,
    logger,
    service,
    sidecarHealthy: () => sidecar.isHealthy(),
    storeHealthy: stateStoreAnswers(sidecar),
  });
  await runService({ app, port: config.port, logger, sidecar });
}

runMain(main);
