import { createLogger, runMain, runService, Sidecar } from '@staycar/common';
import { DaprMessageBinding } from './adapters/daprMessageBinding';
import { messageMetrics } from './adapters/metrics';
import { connectWithin, createDataSource, migrate } from './adapters/typeorm/dataSource';
import { TypeormMessageStore } from './adapters/typeorm/typeormMessageStore';
import { messageUseCases } from './app';
import { loadConfig } from './config';
import { createApp } from './http/app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const db = createDataSource(config.messageDbUrl);
  await connectWithin(db, 60_000).catch((error: unknown) => {
    logger.fatal({ err: error }, 'cannot reach the message database (MESSAGE_DB_URL); start MariaDB (`npm run setup`) and try again');
    process.exit(1);
  });
  logger.info({ migrations: await migrate(db) }, 'message database ready');

  const sidecar = Sidecar.create(config, logger);
  const store = new TypeormMessageStore(db);
  const messages = messageUseCases({
    store,
    binding: new DaprMessageBinding(sidecar, config.messageBinding),
    cityName: config.cityName,
    logger,
    clock: () => new Date(),
    metrics: messageMetrics(),
  });
  const app = createApp({
    config,
    logger,
    messages,
    sidecarHealthy: () => sidecar.isHealthy(),
    databaseHealthy: () => store.isHealthy(),
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
    onStop: async () => {
      stopRetries?.();
      await db.destroy();
    },
  });
}

runMain(main);
