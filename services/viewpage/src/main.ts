import { createLogger, runService, Sidecar, runMain } from '@staycar/common';
import { connectWithin, createDataSource, migrate } from './adapters/mysql/dataSource';
import { TypeormViewStore } from './adapters/mysql/typeormViewStore';
import { projectBatch, projectEvent } from './app/project';
import { ViewReader } from './app/read';
import { RoomSearcher } from './app/search';
import { TypeormRoomSearch } from './adapters/mysql/roomSearch';
import { loadConfig } from './config';
import { createApp } from './http/app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const db = createDataSource(config.viewDbUrl);
  await connectWithin(db, 60_000).catch((error: unknown) => {
    logger.fatal({ err: error }, 'cannot reach the view database (VIEW_DB_URL); start MariaDB (`npm run setup`) and try again');
    process.exit(1);
  });
  logger.info({ migrations: await migrate(db) }, 'view database ready');

  const sidecar = Sidecar.create(config, logger);
  const store = new TypeormViewStore(db, logger);
  const app = createApp({
    config,
    logger,
    reader: new ViewReader(store, config.listCacheMs),
    searcher: new RoomSearcher(new TypeormRoomSearch(db)),
    project: (event) => projectEvent(store, event),
    projectBatch: (events) => projectBatch(store, events),
    sidecarHealthy: () => sidecar.isHealthy(),
    databaseHealthy: () => store.isHealthy(),
  });
  await runService({ app, port: config.port, logger, sidecar, onStop: () => db.destroy() });
}

runMain(main);
