import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The messages table on PostgreSQL: the same columns and keys as CreateMessages1765000000000,
 * column names quoted (TypeORM's queries keep their case), text compared by bytes (`COLLATE "C"`).
 */
export class CreateMessagesPg1765000000000 implements MigrationInterface {
  name = 'CreateMessagesPg1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE IF NOT EXISTS message_messages (
      "seq" bigserial NOT NULL PRIMARY KEY,
      "id" varchar(40) COLLATE "C" NOT NULL,
      "reservationId" varchar(200) COLLATE "C" NOT NULL,
      "type" varchar(40) COLLATE "C" NOT NULL,
      "recipientId" varchar(200) COLLATE "C" NOT NULL,
      "text" text NOT NULL,
      "createdAt" varchar(40) COLLATE "C" NOT NULL,
      "delivery" varchar(20) COLLATE "C" NOT NULL,
      "deliveredAt" varchar(40) COLLATE "C" NULL,
      "stay" text NULL,
      CONSTRAINT message_reservation_type UNIQUE ("reservationId", "type"),
      CONSTRAINT message_id UNIQUE ("id")
    )`);
    await runner.query('CREATE INDEX IF NOT EXISTS message_recipient ON message_messages ("recipientId", "seq")');
    await runner.query('CREATE INDEX IF NOT EXISTS message_delivery ON message_messages ("delivery", "seq")');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE IF EXISTS message_messages');
  }
}
