import type { MigrationInterface, QueryRunner } from 'typeorm';

/** PostgreSQL's RoomViewsByHost1780000000000: a host's listed rooms, most recently updated first, from the index alone. */
export class RoomViewsByHostPg1780000000000 implements MigrationInterface {
  name = 'RoomViewsByHostPg1780000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX IF NOT EXISTS view_room_host_updated ON view_room ("hostId", "listed", "updatedAt", "roomId")');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX IF EXISTS view_room_host_updated');
  }
}
