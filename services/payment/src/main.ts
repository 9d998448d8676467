import { createLogger, runMain, runService, Sidecar, stateStoreAnswers } from '@staycar/common';
import { delayedApprovals } from './adapters/delayedApprovals';
import { paymentStore } from './adapters/paymentStore';
import { paymentUseCases } from './app';
import { loadConfig } from './config';
import { createApp } from './http/app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const sidecar = Sidecar.create(config, logger);
  const payments = paymentUseCases({
    state: paymentStore(sidecar),
    logger,
    clock: () => new Date(),
    declinedToken: config.declinedToken,
  });
  const app = createApp({
    config,
    logger,
    payments: { ...payments, approve: delayedApprovals(payments.approve, config.approveDelayMs, logger) },
    sidecarHealthy: () => sidecar.isHealthy(),
    storeHealthy: stateStoreAnswers(sidecar),
  });
  await runService({ app, port: config.port, logger, sidecar });
}

runMain(main);
