import type { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillNights } from '../../roomSearch';

/** PostgreSQL's RoomSearch1790000000000: the same columns, indexes and nights table, filled the same way. */
export class RoomSearchPg1790000000000 implements MigrationInterface {
  name = 'RoomSearchPg1790000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE view_room
      ADD COLUMN IF NOT EXISTS "pricePerNight" int NULL,
      ADD COLUMN IF NOT EXISTS "capacity" int NULL,
      ADD COLUMN IF NOT EXISTS "ratingKey" double precision NOT NULL DEFAULT 0`);
    await runner.query(`UPDATE view_room SET
      "pricePerNight" = CASE WHEN jsonb_typeof(room::jsonb -> 'pricePerNight') = 'number' THEN (room::jsonb ->> 'pricePerNight')::numeric::int END,
      "capacity" = CASE WHEN jsonb_typeof(room::jsonb -> 'capacity') = 'number' THEN (room::jsonb ->> 'capacity')::numeric::int ELSE 1 END,
      "ratingKey" = COALESCE("averageRating", 0)
      WHERE room IS NOT NULL`);
    await runner.query(
      'CREATE INDEX IF NOT EXISTS view_room_search_price ON view_room ("city", "listed", "pricePerNight", "roomId", "capacity")',
    );
    await runner.query(
      'CREATE INDEX IF NOT EXISTS view_room_search_rating ON view_room ("city", "listed", "ratingKey", "roomId", "capacity", "pricePerNight")',
    );
    await runner.query(`CREATE TABLE IF NOT EXISTS view_room_night (
      "roomId" varchar(200) COLLATE "C" NOT NULL,
      "night" date NOT NULL,
      "reservationId" varchar(200) COLLATE "C" NOT NULL,
      "city" varchar(200) COLLATE "C" NULL,
      PRIMARY KEY ("roomId", "night", "reservationId")
    )`);
    await runner.query('CREATE INDEX IF NOT EXISTS view_room_night_city ON view_room_night ("city", "night", "roomId")');
    await backfillNights((sql, params) => runner.query(sql, params), 'postgres');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE IF EXISTS view_room_night');
    await runner.query('DROP INDEX IF EXISTS view_room_search_rating');
    await runner.query('DROP INDEX IF EXISTS view_room_search_price');
    await runner.query(
      'ALTER TABLE view_room DROP COLUMN IF EXISTS "ratingKey", DROP COLUMN IF EXISTS "capacity", DROP COLUMN IF EXISTS "pricePerNight"',
    );
  }
}
