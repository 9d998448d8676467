/**
 * Rebuilds the view from the event streams (the use case is app/rebuild.ts): reads every entry of
 * the Redis Streams behind the view's topics (one per producing family) from id 0 and folds it into
 * the (fresh or existing) view database with the same idempotent, order-tolerant reducers the service uses. Safe
 * to run while the service runs (the reducers ignore what is already applied).
 *
 *   node services/viewpage/dist/rebuildMain.js [--fresh]
 *
 * Env: VIEW_DB_URL, REDIS_URL (default redis://127.0.0.1:6379), EVENTS_TOPICS (comma list; default
 * the four family topics of dapr.yaml's viewpage; add `staycar-events` for events published before
 * the topics were split per family).
 * --fresh drops the view's tables first; the migrations then make them again.
 * Limit: only what the stream still holds (the pubsub component caps it with maxLenApprox).
 */
import Redis from 'ioredis';
import { createLogger, envList, envString, runMain } from '@staycar/common';
import { createDataSource, dropView, migrate } from './adapters/mysql/dataSource';
import { TypeormViewStore } from './adapters/mysql/typeormViewStore';
import { RedisEventHistory } from './adapters/redisEventHistory';
import { projectEvent } from './app/project';
import { rebuildView } from './app/rebuild';
import { isViewEventType, toViewEvent } from './http/events';

async function main(): Promise<void> {
  const logger = createLogger('viewpage-rebuild');
  const topics = envList('EVENTS_TOPICS', ['room-events', 'rentcar-events', 'reservation-events', 'payment-events']);
  const db = createDataSource(envString('VIEW_DB_URL', 'mysql://staycar:staycar@127.0.0.1:3306/staycar'));
  await db.initialize();
  const redis = new Redis(envString('REDIS_URL', 'redis://127.0.0.1:6379'));
  try {
    if (process.argv.includes('--fresh')) await dropView(db);
    await migrate(db);
    const store = new TypeormViewStore(db, logger);
    await rebuildView({
      history: new RedisEventHistory(redis, topics),
      consumes: isViewEventType,
      read: toViewEvent,
      project: (event) => projectEvent(store, event),
      logger,
    });
  } finally {
    redis.disconnect();
    await db.destroy();
  }
}

runMain(main);
