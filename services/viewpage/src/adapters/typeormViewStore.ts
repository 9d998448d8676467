import 'reflect-metadata';
import { DataSource, type EntityManager, type ObjectLiteral, type EntityTarget } from 'typeorm';
import type { Logger } from '@staycar/common';
import { isListed, type CarRow, type ReservationRow, type RoomRow } from '../domain/projection';
import { CreateView1764000000000 } from '../migrations/1764000000000-CreateView';
import type { Reducer, UpdatedAfter, ViewStore } from '../service/ports';
import { CarEntity, ReservationEntity, RoomEntity } from './entities';

/** mysql://user:pass@host:port/db → a TypeORM DataSource (migrations, never synchronize). */
export function createDataSource(url: string): DataSource {
  return new DataSource({
    type: 'mysql',
    url,
    entities: [RoomEntity, CarEntity, ReservationEntity],
    migrations: [CreateView1764000000000],
    migrationsTableName: 'view_migrations',
    synchronize: false,
    logging: false,
    charset: 'utf8mb4',
    extra: { connectionLimit: 10 },
  });
}

const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_DUP_ENTRY', 'ER_LOCK_WAIT_TIMEOUT']);
const MAX_ATTEMPTS = 8;

const codeOf = (error: unknown): string | undefined =>
  (error as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (error as { code?: string }).code;

const roomEntity = (row: RoomRow): RoomEntity =>
  Object.assign(new RoomEntity(), {
    ...row,
    hostId: row.room?.hostId ?? null,
    city: row.room?.city ?? null,
    listed: isListed(row),
  });

const roomRow = (e: RoomEntity): RoomRow => ({
  roomId: e.roomId,
  room: e.room,
  version: e.version,
  deleted: Boolean(e.deleted),
  reviewCount: e.reviewCount,
  averageRating: e.averageRating,
  reviewVersion: e.reviewVersion,
  updatedAt: e.updatedAt,
});

const carEntity = (row: CarRow): CarEntity =>
  Object.assign(new CarEntity(), { ...row, hostId: row.car?.hostId ?? null, city: row.car?.city ?? null, listed: isListed(row) });

const carRow = (e: CarEntity): CarRow => ({
  carId: e.carId,
  car: e.car,
  version: e.version,
  deleted: Boolean(e.deleted),
  updatedAt: e.updatedAt,
});

const reservationRow = (e: ReservationEntity): ReservationRow => ({ ...e });

/**
 * The read model in MariaDB through TypeORM. Updates run in a transaction around a
 * `SELECT … FOR UPDATE` of the row, so concurrent deliveries for one aggregate serialize; a race
 * on a row that does not exist yet (duplicate key or deadlock) is retried.
 */
export class TypeormViewStore implements ViewStore {
  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
  ) {}

  private async update<E extends ObjectLiteral, Row>(
    target: EntityTarget<E>,
    idColumn: string,
    id: string,
    toRow: (e: E) => Row,
    toEntity: (row: Row) => E,
    reduce: Reducer<Row>,
    after?: (em: EntityManager, row: Row) => Promise<void>,
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (em) => {
          const found = await em.getRepository(target).findOne({ where: { [idColumn]: id } as never, lock: { mode: 'pessimistic_write' } });
          const next = reduce(found ? toRow(found) : undefined);
          if (next === undefined) return false;
          if (found) await em.getRepository(target).save(toEntity(next));
          else await em.getRepository(target).insert(toEntity(next));
          await after?.(em, next);
          return true;
        });
      } catch (error) {
        const code = codeOf(error);
        if (!code || !RETRYABLE.has(code) || attempt >= MAX_ATTEMPTS) throw error;
        this.logger.debug({ code, attempt, id }, 'view update raced; retrying');
        await new Promise((resolve) => setTimeout(resolve, 10 * attempt * (0.5 + Math.random())));
      }
    }
  }

  updateRoom(roomId: string, reduce: Reducer<RoomRow>): Promise<boolean> {
    return this.update(RoomEntity, 'roomId', roomId, roomRow, roomEntity, reduce);
  }

  updateCar(carId: string, reduce: Reducer<CarRow>): Promise<boolean> {
    return this.update(CarEntity, 'carId', carId, carRow, carEntity, reduce);
  }

  updateReservation(reservationId: string, reduce: Reducer<ReservationRow>): Promise<boolean> {
    return this.update(
      ReservationEntity,
      'reservationId',
      reservationId,
      reservationRow,
      (row) => Object.assign(new ReservationEntity(), row),
      reduce,
      async (em, row) => {
        // The room's row moves up the "most recently updated" list with its reservations.
        if (row.roomId) {
          await em.query('UPDATE view_room SET updatedAt = GREATEST(updatedAt, ?) WHERE roomId = ?', [row.updatedAt, row.roomId]);
        }
      },
    );
  }

  async roomsByUpdated(query: { city?: string; hostId?: string; limit: number; after?: UpdatedAfter }): Promise<RoomRow[]> {
    const qb = this.db.getRepository(RoomEntity).createQueryBuilder('r').where('r.listed = 1');
    if (query.city !== undefined) qb.andWhere('r.city = :city', { city: query.city });
    // A host's rooms are few: the view_room_host index finds them, the sort is over those alone.
    if (query.hostId !== undefined) qb.andWhere('r.hostId = :hostId', { hostId: query.hostId });
    if (query.after) {
      qb.andWhere('(r.updatedAt < :u OR (r.updatedAt = :u AND r.roomId < :id))', { u: query.after.updatedAt, id: query.after.id });
    }
    const rows = await qb.orderBy('r.updatedAt', 'DESC').addOrderBy('r.roomId', 'DESC').limit(query.limit).getMany();
    return rows.map(roomRow);
  }

  async roomsById(query: { city?: string; hostId?: string; limit: number; after?: string }): Promise<RoomRow[]> {
    const qb = this.db.getRepository(RoomEntity).createQueryBuilder('r').where('r.listed = 1');
    if (query.city !== undefined) qb.andWhere('r.city = :city', { city: query.city });
    if (query.hostId !== undefined) qb.andWhere('r.hostId = :hostId', { hostId: query.hostId });
    if (query.after !== undefined) qb.andWhere('r.roomId > :after', { after: query.after });
    return (await qb.orderBy('r.roomId', 'ASC').limit(query.limit).getMany()).map(roomRow);
  }

  async room(roomId: string): Promise<RoomRow | undefined> {
    const found = await this.db.getRepository(RoomEntity).findOne({ where: { roomId } });
    return found ? roomRow(found) : undefined;
  }

  async carsById(query: { city?: string; limit: number; after?: string }): Promise<CarRow[]> {
    const qb = this.db.getRepository(CarEntity).createQueryBuilder('c').where('c.listed = 1');
    if (query.city !== undefined) qb.andWhere('c.city = :city', { city: query.city });
    if (query.after !== undefined) qb.andWhere('c.carId > :after', { after: query.after });
    return (await qb.orderBy('c.carId', 'ASC').limit(query.limit).getMany()).map(carRow);
  }

  async reservationStats(roomIds: string[]): Promise<Map<string, { active: number; latest: ReservationRow | undefined }>> {
    const stats = new Map<string, { active: number; latest: ReservationRow | undefined }>();
    if (roomIds.length === 0) return stats;
    const counts = await this.db.query<Array<{ roomId: string; n: number | string }>>(
      "SELECT roomId, COUNT(*) AS n FROM view_reservation WHERE roomId IN (?) AND status = 'confirmed' GROUP BY roomId",
      [roomIds],
    );
    const latest = await this.db.query<Array<ReservationEntity & { rn: unknown }>>(
      `SELECT * FROM (SELECT v.*, ROW_NUMBER() OVER (PARTITION BY v.roomId ORDER BY v.createdAt DESC, v.reservationId DESC) AS rn
         FROM view_reservation v WHERE v.roomId IN (?) AND v.status IS NOT NULL) t WHERE t.rn = 1`,
      [roomIds],
    );
    for (const id of roomIds) stats.set(id, { active: 0, latest: undefined });
    for (const c of counts) stats.get(c.roomId)!.active = Number(c.n);
    for (const { rn: _rn, ...row } of latest) stats.get(row.roomId!)!.latest = reservationRow(row);
    return stats;
  }

  async reservationsOf(roomId: string): Promise<ReservationRow[]> {
    const rows = await this.db
      .getRepository(ReservationEntity)
      .createQueryBuilder('v')
      .where('v.roomId = :roomId AND v.status IS NOT NULL', { roomId })
      .orderBy('v.createdAt', 'DESC')
      .addOrderBy('v.reservationId', 'DESC')
      .getMany();
    return rows.map(reservationRow);
  }

  async isHealthy(): Promise<boolean> {
    try {
      await this.db.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }
}
