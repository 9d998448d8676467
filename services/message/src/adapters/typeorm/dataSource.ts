import 'reflect-metadata';
import { ConfigError } from '@staycar/common';
import { DataSource } from 'typeorm';
import { MessageEntity } from './entity';
import { CreateMessages1765000000000 } from './migrations/1765000000000-CreateMessages';
import { CreateMessagesPg1765000000000 } from './migrations/postgres/1765000000000-CreateMessagesPg';

/**
 * The migrations of each dialect, oldest first, recorded by class name in `message_migrations`
 * (a released name or timestamp never changes, or databases run it again).
 */
const MIGRATIONS = {
  mysql: [CreateMessages1765000000000],
  postgres: [CreateMessagesPg1765000000000],
};

export type MessageDialect = keyof typeof MIGRATIONS;

/** The dialect MESSAGE_DB_URL names by its scheme: mysql:// (MySQL, MariaDB) or postgres:// / postgresql://. */
export function dialectOf(url: string): MessageDialect {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'mysql') return 'mysql';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  throw new ConfigError(
    `MESSAGE_DB_URL: unknown scheme ${scheme === undefined ? '(none)' : `"${scheme}"`}; expected mysql://, postgres:// or postgresql://`,
  );
}

/** mysql://… (driver mysql2) or postgres://… (driver pg) → a TypeORM DataSource (migrations, never synchronize). */
export function createDataSource(url: string): DataSource {
  const common = {
    url,
    entities: [MessageEntity],
    migrationsTableName: 'message_migrations',
    synchronize: false,
    logging: false,
  };
  if (dialectOf(url) === 'postgres') {
    return new DataSource({ ...common, type: 'postgres', migrations: MIGRATIONS.postgres, extra: { max: 5 } });
  }
  return new DataSource({ ...common, type: 'mysql', migrations: MIGRATIONS.mysql, charset: 'utf8mb4', extra: { connectionLimit: 5 } });
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
