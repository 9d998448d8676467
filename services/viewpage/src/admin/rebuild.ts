/**
 * Rebuilds the view from the event stream: reads every entry of the Redis Stream behind the
 * `staycar-events` topic from id 0 and folds it into the (fresh or existing) view database with
 * the same idempotent, order-tolerant reducers the service uses. Safe to run while the service
 * runs (the reducers ignore what is already applied).
 *
 *   node services/viewpage/dist/admin/rebuild.js [--fresh]
 *
 * Env: VIEW_DB_URL, REDIS_URL (default redis://127.0.0.1:6379), EVENTS_TOPIC (default staycar-events).
 * --fresh drops the view's tables first; the migrations then make them again.
 * Limit: only what the stream still holds (the pubsub component caps it with maxLenApprox).
 */
import Redis from 'ioredis';
import { createLogger, envString, PoisonEventError } from '@staycar/common';
import { createDataSource, TypeormViewStore } from '../adapters/typeormViewStore';
import { VIEW_EVENTS, type ViewEventType } from '../domain/events';
import { toViewEvent } from '../http/app';
import { ViewService } from '../service/viewService';

const BATCH = 500;

async function rebuild(): Promise<void> {
  const logger = createLogger('viewpage-rebuild');
  const topic = envString('EVENTS_TOPIC', 'staycar-events');
  const db = createDataSource(envString('VIEW_DB_URL', 'mysql://staycar:staycar@127.0.0.1:3306/staycar'));
  await db.initialize();
  if (process.argv.includes('--fresh')) {
    await db.query('DROP TABLE IF EXISTS view_reservation, view_car, view_room, view_migrations');
  }
  await db.runMigrations();
  const view = new ViewService(new TypeormViewStore(db, logger));
  const redis = new Redis(envString('REDIS_URL', 'redis://127.0.0.1:6379'));
  let from = '-';
  let read = 0;
  let applied = 0;
  let skipped = 0;
  try {
    for (;;) {
      const entries = await redis.xrange(topic, from, '+', 'COUNT', BATCH);
      for (const [id, fields] of entries) {
        read++;
        from = `(${id}`;
        const raw = fields[fields.indexOf('data') + 1];
        let event: { type?: unknown; data?: unknown };
        try {
          event = JSON.parse(raw ?? '') as { type?: unknown; data?: unknown };
        } catch {
          skipped++;
          continue;
        }
        if (typeof event.type !== 'string' || !(event.type in VIEW_EVENTS)) continue;
        try {
          if (await view.apply(toViewEvent(event.type as ViewEventType, event.data))) applied++;
        } catch (error) {
          if (!(error instanceof PoisonEventError)) throw error;
          skipped++;
          logger.warn({ id, type: event.type }, 'unusable event skipped');
        }
      }
      if (entries.length < BATCH) break;
    }
    logger.info({ read, applied, skipped }, 'view rebuilt from the stream');
  } finally {
    redis.disconnect();
    await db.destroy();
  }
}

rebuild().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
