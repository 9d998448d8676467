import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { CarEntity, ReservationEntity, RoomEntity } from './entities';
import { CreateView1764000000000 } from './migrations/1764000000000-CreateView';
import { CreateViewPg1764000000000 } from './migrations/postgres/1764000000000-CreateViewPg';
import { RoomViewsByHost1780000000000 } from './migrations/1780000000000-RoomViewsByHost';
import { RoomViewsByHostPg1780000000000 } from './migrations/postgres/1780000000000-RoomViewsByHostPg';
import { RoomSearch1790000000000 } from './migrations/1790000000000-RoomSearch';
import { RoomSearchPg1790000000000 } from './migrations/postgres/1790000000000-RoomSearchPg';

/**
 * The migrations of each dialect, oldest first. TypeORM records each by its class name
 * (`CreateView1764000000000`) in `view_migrations`: a name or timestamp never changes once
 * released, or databases run it again. PostgreSQL has its own set (its SQL differs).
 */
const MIGRATIONS = {
  mysql: [CreateView1764000000000, RoomViewsByHost1780000000000, RoomSearch1790000000000],
  postgres: [CreateViewPg1764000000000, RoomViewsByHostPg1780000000000, RoomSearchPg1790000000000],
};

export type ViewDialect = keyof typeof MIGRATIONS;

/** The dialect a VIEW_DB_URL names by its scheme: mysql:// (MySQL, MariaDB) or postgres:// / postgresql://. */
export function dialectOf(url: string): ViewDialect {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'mysql') return 'mysql';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  throw new Error(
    `VIEW_DB_URL: unknown scheme ${scheme === undefined ? '(none)' : `"${scheme}"`}; expected mysql://, postgres:// or postgresql://`,
  );
}

/**
 * mysql://user:pass@host:port/db (driver mysql2) or postgres://user:pass@host:port/db (driver pg)
 * → a TypeORM DataSource (migrations, never synchronize).
 */
export function createDataSource(url: string): DataSource {
  const common = {
    url,
    entities: [RoomEntity, CarEntity, ReservationEntity],
    migrationsTableName: 'view_migrations',
    synchronize: false,
    logging: false,
  };
  if (dialectOf(url) === 'postgres') {
    return new DataSource({ ...common, type: 'postgres', migrations: MIGRATIONS.postgres, extra: { max: 10 } });
  }
  return new DataSource({ ...common, type: 'mysql', migrations: MIGRATIONS.mysql, charset: 'utf8mb4', extra: { connectionLimit: 10 } });
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
  await db.query('DROP TABLE IF EXISTS view_room_night, view_reservation, view_car, view_room, view_migrations');
}
