import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The read model's first schema: rooms, cars, reservations (all `view_` tables). */
export class CreateView1764000000000 implements MigrationInterface {
  name = 'CreateView1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE IF NOT EXISTS view_room (
      roomId varchar(200) NOT NULL PRIMARY KEY,
      hostId varchar(200) NULL,
      city varchar(200) NULL,
      room longtext NULL,
      version int NOT NULL,
      deleted tinyint NOT NULL,
      listed tinyint NOT NULL,
      reviewCount int NOT NULL,
      averageRating double NULL,
      reviewVersion int NOT NULL,
      updatedAt varchar(40) NOT NULL,
      KEY view_room_updated (listed, updatedAt, roomId),
      KEY view_room_city_updated (city, updatedAt, roomId),
      KEY view_room_host (hostId, roomId)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await runner.query(`CREATE TABLE IF NOT EXISTS view_car (
      carId varchar(200) NOT NULL PRIMARY KEY,
      hostId varchar(200) NULL,
      city varchar(200) NULL,
      car longtext NULL,
      version int NOT NULL,
      deleted tinyint NOT NULL,
      listed tinyint NOT NULL,
      updatedAt varchar(40) NOT NULL,
      KEY view_car_city (city, carId)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await runner.query(`CREATE TABLE IF NOT EXISTS view_reservation (
      reservationId varchar(200) NOT NULL PRIMARY KEY,
      roomId varchar(200) NULL,
      guestId varchar(200) NULL,
      carId varchar(200) NULL,
      checkIn varchar(10) NULL,
      checkOut varchar(10) NULL,
      status varchar(20) NULL,
      reservationVersion int NOT NULL,
      paymentStatus varchar(20) NULL,
      paymentVersion int NOT NULL,
      carStatus varchar(20) NULL,
      createdAt varchar(40) NULL,
      updatedAt varchar(40) NOT NULL,
      KEY view_reservation_room (roomId, status, createdAt)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE IF EXISTS view_reservation');
    await runner.query('DROP TABLE IF EXISTS view_car');
    await runner.query('DROP TABLE IF EXISTS view_room');
  }
}
