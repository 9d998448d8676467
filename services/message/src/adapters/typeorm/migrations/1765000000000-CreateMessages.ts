import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The messages table on MySQL/MariaDB (ids compare and sort by bytes: utf8mb4_bin). */
export class CreateMessages1765000000000 implements MigrationInterface {
  name = 'CreateMessages1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE IF NOT EXISTS message_messages (
      seq bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
      id varchar(40) NOT NULL,
      reservationId varchar(200) NOT NULL,
      type varchar(40) NOT NULL,
      recipientId varchar(200) NOT NULL,
      text text NOT NULL,
      createdAt varchar(40) NOT NULL,
      delivery varchar(20) NOT NULL,
      deliveredAt varchar(40) NULL,
      stay text NULL,
      UNIQUE KEY message_reservation_type (reservationId, type),
      UNIQUE KEY message_id (id),
      KEY message_recipient (recipientId, seq),
      KEY message_delivery (delivery, seq)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE IF EXISTS message_messages');
  }
}
