import type { DataSource, EntityManager, ObjectLiteral, EntityTarget } from 'typeorm';
import { EtagConflictError, retryOnConflict, type Logger } from '@staycar/common';
import { isListed, type CarRow, type ReservationRow, type RoomRow } from '../../domain/projection';
import type { Reducer, UpdatedAfter, ViewStore, ViewWriter } from '../../ports';
import { CarEntity, ReservationEntity, RoomEntity } from './entities';
import type { ViewDialect } from './dataSource';
import { searchColumns, syncBookedNights, syncNightsCity } from './roomSearch';

/**
 * The database's answers to two transactions racing on one row (the first insert of a row, lock
 * order): MariaDB's error codes, PostgreSQL's SQLSTATEs (unique_violation, deadlock_detected,
 * lock_not_available, serialization_failure).
 */
const RACED = new Set(['ER_LOCK_DEADLOCK', 'ER_DUP_ENTRY', 'ER_LOCK_WAIT_TIMEOUT', '23505', '40P01', '55P03', '40001']);

/**
 * The store's few raw statements in each dialect (placeholders `?` / `$n`, a list as `IN (?)` /
 * `= ANY($1)`, PostgreSQL's case-keeping quoted column names). Everything else is TypeORM's.
 */
const SQL = {
  mysql: {
    touchRoom: 'UPDATE view_room SET updatedAt = GREATEST(updatedAt, ?) WHERE roomId = ?',
    latest: `SELECT * FROM (SELECT v.*, ROW_NUMBER() OVER (PARTITION BY v.roomId ORDER BY v.createdAt DESC, v.reservationId DESC) AS rn,
         SUM(CASE WHEN v.status = 'confirmed' THEN 1 ELSE 0 END) OVER (PARTITION BY v.roomId) AS active
         FROM view_reservation v WHERE v.roomId IN (?) AND v.status IS NOT NULL) t WHERE t.rn = 1`,
  },
  postgres: {
    touchRoom: 'UPDATE view_room SET "updatedAt" = GREATEST("updatedAt", $1) WHERE "roomId" = $2',
    latest: `SELECT * FROM (SELECT v.*, ROW_NUMBER() OVER (PARTITION BY v."roomId" ORDER BY v."createdAt" DESC, v."reservationId" DESC) AS rn,
         SUM(CASE WHEN v.status = 'confirmed' THEN 1 ELSE 0 END) OVER (PARTITION BY v."roomId") AS active
         FROM view_reservation v WHERE v."roomId" = ANY($1) AND v.status IS NOT NULL) t WHERE t.rn = 1`,
  },
};

const MAX_ATTEMPTS = 8;

const codeOf = (error: unknown): string | undefined =>
  (error as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (error as { code?: string }).code;

const roomEntity = (row: RoomRow): RoomEntity =>
  Object.assign(new RoomEntity(), {
    ...row,
    hostId: row.room?.hostId ?? null,
    city: row.room?.city ?? null,
    listed: isListed(row),
    ...searchColumns(row),
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
 * The read model in MariaDB or PostgreSQL (the DataSource's type) through TypeORM. Updates run in
 * a transaction around a `SELECT … FOR UPDATE` of the row (one transaction per update, or one for
 * a whole batch: `inOneTransaction`), so concurrent deliveries for one aggregate serialize; a race
 * on a row that does not exist yet (duplicate key or deadlock) is retried through `retryOnConflict`
 * (after MAX_ATTEMPTS races: TRY_LATER, and the delivery is redelivered).
 */
export class TypeormViewStore implements ViewStore {
  private readonly sql: (typeof SQL)[keyof typeof SQL];
  private readonly dialect: ViewDialect;

  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
  ) {
    this.dialect = db.options.type === 'postgres' ? 'postgres' : 'mysql';
    this.sql = SQL[this.dialect];
  }

  /** Runs `work` in a transaction; a race on a row (duplicate key, deadlock) runs it again. */
  private inTransaction<T>(what: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return retryOnConflict(
      async () => {
        try {
          return await this.db.transaction(work);
        } catch (error) {
          const code = codeOf(error);
          if (!code || !RACED.has(code)) throw error;
          this.logger.debug({ code, what }, 'view update raced; retrying');
          // The same meaning as a lost ETag race: the transaction was rolled back, read and decide again.
          throw new EtagConflictError(`view ${what} raced (${code})`);
        }
      },
      { attempts: MAX_ATTEMPTS },
    );
  }

  /** Within `em`'s transaction: lock the row, reduce it, write what the reducer answers. */
  private async updateRow<E extends ObjectLiteral, Row>(
    em: EntityManager,
    target: EntityTarget<E>,
    idColumn: string,
    id: string,
    toRow: (e: E) => Row,
    toEntity: (row: Row) => E,
    reduce: Reducer<Row>,
    after?: (em: EntityManager, row: Row, previous: Row | undefined) => Promise<void>,
  ): Promise<boolean> {
    const repository = em.getRepository(target);
    const found = await repository.findOne({ where: { [idColumn]: id } as never, lock: { mode: 'pessimistic_write' } });
    const previous = found ? toRow(found) : undefined;
    const next = reduce(previous);
    if (next === undefined) return false;
    if (found) await repository.save(toEntity(next));
    else await repository.insert(toEntity(next));
    await after?.(em, next, previous);
    return true;
  }

  /** The three updates, each inside `em`'s transaction. */
  private writerIn(em: EntityManager): ViewWriter {
    return {
      updateRoom: (roomId, reduce) =>
        this.updateRow(em, RoomEntity, 'roomId', roomId, roomRow, roomEntity, reduce, (tx, row, previous) =>
          syncNightsCity(tx, this.dialect, previous, row),
        ),
      updateCar: (carId, reduce) => this.updateRow(em, CarEntity, 'carId', carId, carRow, carEntity, reduce),
      updateReservation: (reservationId, reduce) =>
        this.updateRow(
          em,
          ReservationEntity,
          'reservationId',
          reservationId,
          reservationRow,
          (row) => Object.assign(new ReservationEntity(), row),
          reduce,
          async (tx, row, previous) => {
            // The room's row moves up the "most recently updated" list with its reservations.
            if (row.roomId) await tx.query(this.sql.touchRoom, [row.updatedAt, row.roomId]);
            await syncBookedNights(tx, this.dialect, previous, row);
          },
        ),
    };
  }

  inOneTransaction<T>(work: (writer: ViewWriter) => Promise<T>): Promise<T> {
    return this.inTransaction('batch', (em) => work(this.writerIn(em)));
  }

  updateRoom(roomId: string, reduce: Reducer<RoomRow>): Promise<boolean> {
    return this.inTransaction(`row ${roomId}`, (em) => this.writerIn(em).updateRoom(roomId, reduce));
  }

  updateCar(carId: string, reduce: Reducer<CarRow>): Promise<boolean> {
    return this.inTransaction(`row ${carId}`, (em) => this.writerIn(em).updateCar(carId, reduce));
  }

  updateReservation(reservationId: string, reduce: Reducer<ReservationRow>): Promise<boolean> {
    return this.inTransaction(`row ${reservationId}`, (em) => this.writerIn(em).updateReservation(reservationId, reduce));
  }

  async roomsByUpdated(query: { city?: string; hostId?: string; limit: number; after?: UpdatedAfter }): Promise<RoomRow[]> {
    const qb = this.db.getRepository(RoomEntity).createQueryBuilder('r').where('r.listed = :listed', { listed: true });
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
    const qb = this.db.getRepository(RoomEntity).createQueryBuilder('r').where('r.listed = :listed', { listed: true });
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
    const qb = this.db.getRepository(CarEntity).createQueryBuilder('c').where('c.listed = :listed', { listed: true });
    if (query.city !== undefined) qb.andWhere('c.city = :city', { city: query.city });
    if (query.after !== undefined) qb.andWhere('c.carId > :after', { after: query.after });
    return (await qb.orderBy('c.carId', 'ASC').limit(query.limit).getMany()).map(carRow);
  }

  async reservationStats(roomIds: string[]): Promise<Map<string, { active: number; latest: ReservationRow | undefined }>> {
    const stats = new Map<string, { active: number; latest: ReservationRow | undefined }>();
    if (roomIds.length === 0) return stats;
    // One round trip: each room's newest reservation row carries the room's count of confirmed ones.
    const latest = await this.db.query<Array<ReservationEntity & { rn: unknown; active: number | string }>>(this.sql.latest, [roomIds]);
    for (const id of roomIds) stats.set(id, { active: 0, latest: undefined });
    for (const { rn: _rn, active, ...row } of latest) stats.set(row.roomId!, { active: Number(active), latest: reservationRow(row) });
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
