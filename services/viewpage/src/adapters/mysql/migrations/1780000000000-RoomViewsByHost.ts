import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * GET /roomviews as a host: `listed AND hostId = ? ORDER BY updatedAt DESC, roomId DESC LIMIT n`.
 * With view_room_host (hostId, roomId) MariaDB read every room of the host and sorted them
 * (filesort); this index gives the page in order, reading only its rows.
 */
export class RoomViewsByHost1780000000000 implements MigrationInterface {
  name = 'RoomViewsByHost1780000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX IF NOT EXISTS view_room_host_updated ON view_room (hostId, listed, updatedAt, roomId)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX IF EXISTS view_room_host_updated ON view_room');
  }
}
