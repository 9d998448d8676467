import type { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillNights } from '../roomSearch';

/**
 * GET /search/rooms (README "Search"): the room's price per night, capacity and rating key as
 * columns of view_room, two indexes that give a city's listed rooms in the result's order with every
 * filter readable from the index, and view_room_night (a reservation's booked nights) whose primary
 * key (roomId, night, …) is where a reservation's nights are written and removed, and whose index
(city, night, roomId) gives the rooms of a city booked on a stay's nights in one range.
 * Rooms and reservations already in the view are filled in here, by the same rules as the projection
 * (the columns from the snapshot JSON; the nights of every reservation that is not cancelled).
 */
export class RoomSearch1790000000000 implements MigrationInterface {
  name = 'RoomSearch1790000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE view_room
      ADD COLUMN IF NOT EXISTS pricePerNight int NULL,
      ADD COLUMN IF NOT EXISTS capacity int NULL,
      ADD COLUMN IF NOT EXISTS ratingKey double NOT NULL DEFAULT 0`);
    await runner.query(`UPDATE view_room SET
      pricePerNight = CASE WHEN JSON_TYPE(JSON_EXTRACT(room, '$.pricePerNight')) = 'INTEGER' THEN JSON_EXTRACT(room, '$.pricePerNight') END,
      capacity = CASE WHEN JSON_TYPE(JSON_EXTRACT(room, '$.capacity')) = 'INTEGER' THEN JSON_EXTRACT(room, '$.capacity') ELSE 1 END,
      ratingKey = COALESCE(averageRating, 0)
      WHERE room IS NOT NULL`);
    await runner.query('CREATE INDEX IF NOT EXISTS view_room_search_price ON view_room (city, listed, pricePerNight, roomId, capacity)');
    await runner.query(
      'CREATE INDEX IF NOT EXISTS view_room_search_rating ON view_room (city, listed, ratingKey, roomId, capacity, pricePerNight)',
    );
    await runner.query(`CREATE TABLE IF NOT EXISTS view_room_night (
      roomId varchar(200) NOT NULL,
      night date NOT NULL,
      reservationId varchar(200) NOT NULL,
      city varchar(200) NULL,
      PRIMARY KEY (roomId, night, reservationId),
      KEY view_room_night_city (city, night, roomId)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await backfillNights((sql, params) => runner.query(sql, params), 'mysql');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE IF EXISTS view_room_night');
    await runner.query('DROP INDEX IF EXISTS view_room_search_rating ON view_room');
    await runner.query('DROP INDEX IF EXISTS view_room_search_price ON view_room');
    await runner.query(
      'ALTER TABLE view_room DROP COLUMN IF EXISTS ratingKey, DROP COLUMN IF EXISTS capacity, DROP COLUMN IF EXISTS pricePerNight',
    );
  }
}
