import { createLogger, runService, Sidecar, runMain } from '@staycar/common';
import { createDataSource, TypeormViewStore } from './adapters/typeormViewStore';
import { loadConfig } from './config';
import { createApp } from './http/app';
import { ViewService } from './service/viewService';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const db = createDataSource(config.viewDbUrl);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await db.initialize();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        logger.fatal({ err: error }, 'cannot reach the view database (VIEW_DB_URL); start MariaDB (`npm run setup`) and try again');
        process.exit(1);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  const applied = await db.runMigrations({ transaction: 'each' });
  logger.info({ migrations: applied.map((m) => m.name) }, 'view database ready');

  const sidecar = Sidecar.create(config, logger);
  const store = new TypeormViewStore(db, logger);
  const app = createApp({
    config,
    logger,
    view: new ViewService(store, undefined, config.listCacheMs),
    sidecarHealthy: () => sidecar.isHealthy(),
    databaseHealthy: () => store.isHealthy(),
  });
  await runService({ app, port: config.port, logger, sidecar, onStop: () => db.destroy() });
}

runMain(main);
