import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { CarEntity, ReservationEntity, RoomEntity } from './entities';
import { CreateView1764000000000 } from './migrations/1764000000000-CreateView';

/**
 * The migrations, oldest first. TypeORM records each by its class name (`CreateView1764000000000`)
 * in `view_migrations`: a name or timestamp never changes once released, or databases run it again.
 */
const MIGRATIONS = [CreateView1764000000000];

/** mysql://user:pass@host:port/db → a TypeORM DataSource (migrations, never synchronize). */
export function createDataSource(url: string): DataSource {
  return new DataSource({
    type: 'mysql',
    url,
    entities: [RoomEntity, CarEntity, ReservationEntity],
    migrations: MIGRATIONS,
    migrationsTableName: 'view_migrations',
    synchronize: false,
    logging: false,
    charset: 'utf8mb4',
    extra: { connectionLimit: 10 },
  });
}

/** Connects, trying once a second until `withinMs` has passed (the database may still be starting); then throws. */
export async function connectWithin(db: DataSource, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      await db.initialize();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** Runs the migrations not yet applied (each in its own transaction); answers their names. */
export async function migrate(db: DataSource): Promise<string[]> {
  return (await db.runMigrations({ transaction: 'each' })).map((m) => m.name);
}

/** Drops the view's tables and the migrations' record, so `migrate` makes them anew (rebuild --fresh). */
export async function dropView(db: DataSource): Promise<void> {
  await db.query('DROP TABLE IF EXISTS view_reservation, view_car, view_room, view_migrations');
}
