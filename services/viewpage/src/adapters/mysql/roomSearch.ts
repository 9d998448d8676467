import type { DataSource, EntityManager } from 'typeorm';
import type { ReservationRow, Room, RoomRow } from '../../domain/projection';
import { bookedStay, capacityOf, ratingKeyOf, sameStay, stayNights, type BookedStay, type SearchCriteria } from '../../domain/search';
import type { RoomSearchStore } from '../../ports';
import type { ViewDialect } from './dataSource';

/**
 * The search's storage: three columns of `view_room` taken from the snapshot (price per night,
 * capacity, the rating key) and `view_room_night`, one row per booked night of a reservation,
 * primary key (roomId, night, reservationId), with the room's city and an index (city, night,
 * roomId). The query walks a room index in the result's order (city, listed, price | rating,
 * roomId, …) and stops after `limit` free rooms; "free" is `roomId NOT IN` the rooms of the city
 * booked on a night of the stay, which MariaDB reads once from (city, night, roomId) into a
 * temporary table (MATERIALIZED) and probes in memory. A per-room NOT EXISTS probe on (roomId,
 * night) cost one B-tree dive per room walked: several times slower when nearly every room of a
 * 10,000-room city is booked (README "Search").
 */

/** What `view_room` keeps for the search's indexes, from the row (null until a snapshot arrived). */
export const searchColumns = (row: RoomRow): { pricePerNight: number | null; capacity: number | null; ratingKey: number } => ({
  pricePerNight: row.room?.pricePerNight ?? null,
  capacity: row.room ? capacityOf(row.room) : null,
  ratingKey: ratingKeyOf(row),
});

type Query = (sql: string, params: unknown[]) => Promise<unknown>;

/** `?` placeholders (MySQL) or `$1…` (PostgreSQL) for rows of `width` values, `count` of them. */
function valueRows(dialect: ViewDialect, count: number, width: number): string {
  let n = 0;
  const one = () => (dialect === 'mysql' ? '?' : `$${++n}`);
  return Array.from({ length: count }, () => `(${Array.from({ length: width }, one).join(', ')})`).join(', ');
}

const NIGHT = {
  mysql: {
    insert: (rows: string) => `INSERT IGNORE INTO view_room_night (roomId, night, reservationId, city) VALUES ${rows}`,
    remove: 'DELETE FROM view_room_night WHERE roomId = ? AND night >= ? AND night < ? AND reservationId = ?',
    // A locking read: the latest committed city, never the transaction's older snapshot.
    cityOf: 'SELECT city FROM view_room WHERE roomId = ? FOR UPDATE',
    moveTo: 'UPDATE view_room_night SET city = ? WHERE roomId = ?',
  },
  postgres: {
    insert: (rows: string) =>
      `INSERT INTO view_room_night ("roomId", "night", "reservationId", "city") VALUES ${rows} ON CONFLICT DO NOTHING`,
    remove: 'DELETE FROM view_room_night WHERE "roomId" = $1 AND "night" >= $2 AND "night" < $3 AND "reservationId" = $4',
    cityOf: 'SELECT "city" FROM view_room WHERE "roomId" = $1 FOR UPDATE',
    moveTo: 'UPDATE view_room_night SET "city" = $1 WHERE "roomId" = $2',
  },
};

/** Writes the nights of `stays` (each with its reservation id and its room's city, once known), at most 1,000 rows a statement. */
export async function insertNights(
  query: Query,
  dialect: ViewDialect,
  stays: Array<BookedStay & { reservationId: string; city: string | null }>,
): Promise<void> {
  const rows = stays.flatMap((s) => stayNights(s).map((night) => [s.roomId, night, s.reservationId, s.city]));
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    await query(NIGHT[dialect].insert(valueRows(dialect, chunk.length, 4)), chunk.flat());
  }
}

/**
 * Within the room row's transaction: a room whose city changed (or became known: a reservation may
 * come before the room's first snapshot) takes its booked nights along.
 */
export async function syncNightsCity(em: EntityManager, dialect: ViewDialect, previous: RoomRow | undefined, next: RoomRow): Promise<void> {
  const city = next.room?.city ?? null;
  if (city === (previous?.room?.city ?? null)) return;
  await em.query(NIGHT[dialect].moveTo, [city, next.roomId]);
}

/**
 * Within the reservation row's transaction: the nights it books follow its new state (booked while
 * it has a status and is not cancelled). Nothing is written when they did not change (payment and
 * car events of the same reservation), so a redelivered or late event costs no night write.
 */
export async function syncBookedNights(
  em: EntityManager,
  dialect: ViewDialect,
  previous: ReservationRow | undefined,
  next: ReservationRow,
): Promise<void> {
  const before = bookedStay(previous);
  const after = bookedStay(next);
  if (sameStay(before, after)) return;
  const query: Query = (sql, params) => em.query(sql, params);
  if (before) await query(NIGHT[dialect].remove, [before.roomId, before.checkIn, before.checkOut, next.reservationId]);
  if (!after) return;
  const [room] = (await query(NIGHT[dialect].cityOf, [after.roomId])) as Array<{ city: string | null }>;
  await insertNights(query, dialect, [{ ...after, reservationId: next.reservationId, city: room?.city ?? null }]);
}

/**
 * The migration's fill of `view_room_night` from the reservations already in the view: the same
 * rule (`bookedStay`) as the live projection.
 */
export async function backfillNights(query: (sql: string, params?: unknown[]) => Promise<unknown>, dialect: ViewDialect): Promise<number> {
  const q = (col: string) => (dialect === 'mysql' ? col : `"${col}"`);
  const rows = (await query(
    `SELECT ${['reservationId', 'roomId', 'checkIn', 'checkOut', 'status'].map((c) => `v.${q(c)}`).join(', ')}, r.${q('city')}
     FROM view_reservation v LEFT JOIN view_room r ON r.${q('roomId')} = v.${q('roomId')}
     WHERE v.status IS NOT NULL AND v.status <> 'cancelled'`,
  )) as Array<Pick<ReservationRow, 'reservationId' | 'roomId' | 'checkIn' | 'checkOut' | 'status'> & { city: string | null }>;
  const stays = rows.flatMap((r) => {
    const { city, ...reservation } = r;
    const stay = bookedStay({
      ...reservation,
      guestId: null,
      carId: null,
      reservationVersion: 0,
      paymentStatus: null,
      paymentVersion: 0,
      carStatus: null,
      createdAt: null,
      updatedAt: '',
    });
    return stay ? [{ ...stay, reservationId: r.reservationId, city }] : [];
  });
  await insertNights((sql, params) => query(sql, params), dialect, stays);
  return stays.length;
}

interface FoundRoom {
  roomId: string;
  room: string | null;
  version: number;
  deleted: number | boolean;
  reviewCount: number;
  averageRating: number | null;
  reviewVersion: number;
  updatedAt: string;
}

/**
 * The search query in a dialect: its SQL and parameters (exported for the benchmark's EXPLAIN).
 * The inner query reads nothing but the room index (every column it tests is in it), so a room
 * left out costs no read of its row; only the page's rooms are then read by primary key.
 */
export function searchQuery(dialect: ViewDialect, c: SearchCriteria): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return dialect === 'mysql' ? '?' : `$${params.length}`;
  };
  const of = (alias: string) => (name: string) => (dialect === 'mysql' ? `${alias}.${name}` : `${alias}."${name}"`);
  const [col, n, r] = [of('c'), of('n'), of('r')];
  const keyName = c.sort === 'price' ? 'pricePerNight' : 'ratingKey';
  const key = col(keyName);
  const where = [
    `${col('city')} = ${p(c.city)}`,
    `${col('listed')} = ${p(true)}`,
    `${col('pricePerNight')} BETWEEN ${p(c.minPrice)} AND ${p(c.maxPrice)}`,
    `${col('capacity')} >= ${p(c.guests)}`,
  ];
  if (c.after) {
    // Price ascending then id ascending; rating descending then id descending (one index, walked backwards).
    const cmp = c.sort === 'price' ? '>' : '<';
    const k = p(c.after.key);
    const k2 = p(c.after.key);
    where.push(`(${key} ${cmp} ${k} OR (${key} = ${k2} AND ${col('roomId')} ${cmp} ${p(c.after.roomId)}))`);
  }
  where.push(
    `${col('roomId')} NOT IN (SELECT ${n('roomId')} FROM view_room_night n WHERE ${n('city')} = ${p(c.city)} AND ${n('night')} >= ${p(c.stay.checkIn)} AND ${n('night')} < ${p(c.stay.checkOut)})`,
  );
  const direction = c.sort === 'price' ? 'ASC' : 'DESC';
  const free = `SELECT ${col('roomId')} FROM view_room c WHERE ${where.join(' AND ')} ORDER BY ${key} ${direction}, ${col('roomId')} ${direction} LIMIT ${p(c.limit)}`;
  const columns = ['roomId', 'room', 'version', 'deleted', 'reviewCount', 'averageRating', 'reviewVersion', 'updatedAt'].map(r).join(', ');
  const sql = `SELECT ${columns} FROM (${free}) f JOIN view_room r ON ${r('roomId')} = ${of('f')('roomId')} ORDER BY ${r(keyName)} ${direction}, ${r('roomId')} ${direction}`;
  return { sql, params };
}

export class TypeormRoomSearch implements RoomSearchStore {
  private readonly dialect: ViewDialect;

  constructor(private readonly db: DataSource) {
    this.dialect = db.options.type === 'postgres' ? 'postgres' : 'mysql';
  }

  async freeRooms(criteria: SearchCriteria): Promise<Array<RoomRow & { room: Room }>> {
    const { sql, params } = searchQuery(this.dialect, criteria);
    const found = await this.db.query<FoundRoom[]>(sql, params);
    return found.flatMap((f) => {
      if (f.room === null) return [];
      return [
        {
          roomId: f.roomId,
          room: JSON.parse(f.room) as Room,
          version: f.version,
          deleted: Boolean(f.deleted),
          reviewCount: f.reviewCount,
          averageRating: f.averageRating,
          reviewVersion: f.reviewVersion,
          updatedAt: f.updatedAt,
        },
      ];
    });
  }
}
