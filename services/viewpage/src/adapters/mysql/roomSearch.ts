import type { DataSource, EntityManager } from 'typeorm';
import type { ReservationRow, Room, RoomRow } from '../../domain/projection';
import { bookedStay, capacityOf, ratingKeyOf, sameStay, stayNights, type BookedStay, type SearchCriteria } from '../../domain/search';
import type { RoomSearchStore } from '../../ports';
import type { ViewDialect } from './dataSource';

/**
 * The search's storage: three columns of `view_room` taken from the snapshot (price per night,
 * capacity, the rating key) and `view_room_night`, one row per booked night of a reservation,
 * primary key (roomId, night, reservationId). The query walks a room index in the result's order
 * (city, listed, price | rating, roomId, …) and probes each room's booked nights in the primary
 * key with NOT EXISTS, so it stops after `limit` free rooms (README "Search").
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
    insert: (rows: string) => `INSERT IGNORE INTO view_room_night (roomId, night, reservationId) VALUES ${rows}`,
    remove: 'DELETE FROM view_room_night WHERE roomId = ? AND night >= ? AND night < ? AND reservationId = ?',
  },
  postgres: {
    insert: (rows: string) => `INSERT INTO view_room_night ("roomId", "night", "reservationId") VALUES ${rows} ON CONFLICT DO NOTHING`,
    remove: 'DELETE FROM view_room_night WHERE "roomId" = $1 AND "night" >= $2 AND "night" < $3 AND "reservationId" = $4',
  },
};

/** Writes the nights of `stays` (each with its reservation id), in statements of at most 1,000 rows. */
export async function insertNights(
  query: Query,
  dialect: ViewDialect,
  stays: Array<BookedStay & { reservationId: string }>,
): Promise<void> {
  const rows = stays.flatMap((s) => stayNights(s).map((night) => [s.roomId, night, s.reservationId]));
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    await query(NIGHT[dialect].insert(valueRows(dialect, chunk.length, 3)), chunk.flat());
  }
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
  if (after) await insertNights(query, dialect, [{ ...after, reservationId: next.reservationId }]);
}

/**
 * The migration's fill of `view_room_night` from the reservations already in the view: the same
 * rule (`bookedStay`) as the live projection.
 */
export async function backfillNights(query: (sql: string, params?: unknown[]) => Promise<unknown>, dialect: ViewDialect): Promise<number> {
  const q = (col: string) => (dialect === 'mysql' ? col : `"${col}"`);
  const rows = (await query(
    `SELECT ${['reservationId', 'roomId', 'checkIn', 'checkOut', 'status'].map(q).join(', ')} FROM view_reservation WHERE status IS NOT NULL AND status <> 'cancelled'`,
  )) as Array<Pick<ReservationRow, 'reservationId' | 'roomId' | 'checkIn' | 'checkOut' | 'status'>>;
  const stays = rows.flatMap((r) => {
    const stay = bookedStay({
      ...r,
      guestId: null,
      carId: null,
      reservationVersion: 0,
      paymentStatus: null,
      paymentVersion: 0,
      carStatus: null,
      createdAt: null,
      updatedAt: '',
    });
    return stay ? [{ ...stay, reservationId: r.reservationId }] : [];
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

/** The search query in a dialect: its SQL and parameters (exported for the benchmark's EXPLAIN). */
export function searchQuery(dialect: ViewDialect, c: SearchCriteria): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return dialect === 'mysql' ? '?' : `$${params.length}`;
  };
  const col = (name: string) => (dialect === 'mysql' ? `r.${name}` : `r."${name}"`);
  const key = c.sort === 'price' ? col('pricePerNight') : col('ratingKey');
  const where = [
    `${col('city')} = ${p(c.city)}`,
    `${col('listed')} = ${p(true)}`,
    `${col('pricePerNight')} BETWEEN ${p(c.minPrice)} AND ${p(c.maxPrice)}`,
    `${col('capacity')} >= ${p(c.guests)}`,
  ];
  if (c.after) {
    // Price ascending then id ascending; rating descending then id descending (one index, walked backwards).
    const [cmp, tie] = c.sort === 'price' ? ['>', '>'] : ['<', '<'];
    const k = p(c.after.key);
    const k2 = p(c.after.key);
    where.push(`(${key} ${cmp} ${k} OR (${key} = ${k2} AND ${col('roomId')} ${tie} ${p(c.after.roomId)}))`);
  }
  const n = (name: string) => (dialect === 'mysql' ? `n.${name}` : `n."${name}"`);
  where.push(
    `NOT EXISTS (SELECT 1 FROM view_room_night n WHERE ${n('roomId')} = ${col('roomId')} AND ${n('night')} >= ${p(c.stay.checkIn)} AND ${n('night')} < ${p(c.stay.checkOut)})`,
  );
  const direction = c.sort === 'price' ? 'ASC' : 'DESC';
  const columns = ['roomId', 'room', 'version', 'deleted', 'reviewCount', 'averageRating', 'reviewVersion', 'updatedAt']
    .map(col)
    .join(', ');
  const sql = `SELECT ${columns} FROM view_room r WHERE ${where.join(' AND ')} ORDER BY ${key} ${direction}, ${col('roomId')} ${direction} LIMIT ${p(c.limit)}`;
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
