import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The read model's first schema on PostgreSQL: the same tables, columns and indexes as
 * CreateView1764000000000 (MySQL/MariaDB). Column names keep their case (quoted), as TypeORM's
 * queries name them. Every text column sorts and compares by bytes (`COLLATE "C"`), as MariaDB's
 * utf8mb4_bin: the cursors and lists order ids and timestamps in byte order.
 */
export class CreateViewPg1764000000000 implements MigrationInterface {
  name = 'CreateViewPg1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE IF NOT EXISTS view_room (
      "roomId" varchar(200) COLLATE "C" NOT NULL PRIMARY KEY,
      "hostId" varchar(200) COLLATE "C" NULL,
      "city" varchar(200) COLLATE "C" NULL,
      "room" text COLLATE "C" NULL,
      "version" int NOT NULL,
      "deleted" boolean NOT NULL,
      "listed" boolean NOT NULL,
      "reviewCount" int NOT NULL,
      "averageRating" double precision NULL,
      "reviewVersion" int NOT NULL,
      "updatedAt" varchar(40) COLLATE "C" NOT NULL
    )`);
    await runner.query('CREATE INDEX IF NOT EXISTS view_room_updated ON view_room ("listed", "updatedAt", "roomId")');
    await runner.query('CREATE INDEX IF NOT EXISTS view_room_city_updated ON view_room ("city", "updatedAt", "roomId")');
    await runner.query('CREATE INDEX IF NOT EXISTS view_room_host ON view_room ("hostId", "roomId")');
    await runner.query(`CREATE TABLE IF NOT EXISTS view_car (
      "carId" varchar(200) COLLATE "C" NOT NULL PRIMARY KEY,
      "hostId" varchar(200) COLLATE "C" NULL,
      "city" varchar(200) COLLATE "C" NULL,
      "car" text COLLATE "C" NULL,
      "version" int NOT NULL,
      "deleted" boolean NOT NULL,
      "listed" boolean NOT NULL,
      "updatedAt" varchar(40) COLLATE "C" NOT NULL
    )`);
    await runner.query('CREATE INDEX IF NOT EXISTS view_car_city ON view_car ("city", "carId")');
    await runner.query(`CREATE TABLE IF NOT EXISTS view_reservation (
      "reservationId" varchar(200) COLLATE "C" NOT NULL PRIMARY KEY,
      "roomId" varchar(200) COLLATE "C" NULL,
      "guestId" varchar(200) COLLATE "C" NULL,
      "carId" varchar(200) COLLATE "C" NULL,
      "checkIn" varchar(10) COLLATE "C" NULL,
      "checkOut" varchar(10) COLLATE "C" NULL,
      "status" varchar(20) COLLATE "C" NULL,
      "reservationVersion" int NOT NULL,
      "paymentStatus" varchar(20) COLLATE "C" NULL,
      "paymentVersion" int NOT NULL,
      "carStatus" varchar(20) COLLATE "C" NULL,
      "createdAt" varchar(40) COLLATE "C" NULL,
      "updatedAt" varchar(40) COLLATE "C" NOT NULL
    )`);
    await runner.query('CREATE INDEX IF NOT EXISTS view_reservation_room ON view_reservation ("roomId", "status", "createdAt")');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE IF EXISTS view_reservation');
    await runner.query('DROP TABLE IF EXISTS view_car');
    await runner.query('DROP TABLE IF EXISTS view_room');
  }
}
