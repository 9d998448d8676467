import { isActive, isListed, type CarRow, type ReservationRow, type RoomRow } from '../src/domain/projection';
import type { Reducer, UpdatedAfter, ViewStore, ViewWriter } from '../src/ports';

/**
 * Text order as the real store has it: the view's tables are utf8mb4_bin, so MariaDB compares and
 * sorts ids and timestamps by their UTF-8 bytes (not by a locale: 'B' < '_' < 'a').
 */
const binary = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** As TypeormViewStore sorts a room's reservations: createdAt descending (null last), then id descending. */
const newestFirst = (a: ReservationRow, b: ReservationRow): number =>
  binary(b.createdAt ?? '', a.createdAt ?? '') || binary(b.reservationId, a.reservationId);

/**
 * In-process stand-in for OUR ViewStore interface (the real one is TypeORM over MariaDB), proven by
 * the ViewStore contract (test/support/viewStoreContract.ts) against both. Like the database it
 * hands out and keeps copies: a row the caller changes after writing or reading it stays as stored.
 */
export class MemoryViewStore implements ViewStore {
  readonly rooms = new Map<string, RoomRow>();
  readonly cars = new Map<string, CarRow>();
  readonly reservations = new Map<string, ReservationRow>();
  healthy = true;

  private change<Row>(map: Map<string, Row>, id: string, reduce: Reducer<Row>): Row | undefined {
    const next = reduce(map.has(id) ? structuredClone(map.get(id)) : undefined);
    if (next !== undefined) map.set(id, structuredClone(next));
    return next;
  }

  /** All or nothing, as the database's transaction: a failure puts every row back as it was. */
  async inOneTransaction<T>(work: (writer: ViewWriter) => Promise<T>): Promise<T> {
    const before = structuredClone({ rooms: this.rooms, cars: this.cars, reservations: this.reservations });
    try {
      return await work(this);
    } catch (error) {
      for (const name of ['rooms', 'cars', 'reservations'] as const) {
        const map = this[name] as Map<string, unknown>;
        map.clear();
        for (const [id, row] of before[name]) map.set(id, row);
      }
      throw error;
    }
  }

  async updateRoom(roomId: string, reduce: Reducer<RoomRow>): Promise<boolean> {
    return this.change(this.rooms, roomId, reduce) !== undefined;
  }

  async updateCar(carId: string, reduce: Reducer<CarRow>): Promise<boolean> {
    return this.change(this.cars, carId, reduce) !== undefined;
  }

  async updateReservation(reservationId: string, reduce: Reducer<ReservationRow>): Promise<boolean> {
    const next = this.change(this.reservations, reservationId, reduce);
    const room = next?.roomId ? this.rooms.get(next.roomId) : undefined;
    if (next && room && binary(next.updatedAt, room.updatedAt) > 0) room.updatedAt = next.updatedAt;
    return next !== undefined;
  }

  async roomsByUpdated(q: { city?: string; hostId?: string; limit: number; after?: UpdatedAfter }): Promise<RoomRow[]> {
    const after = q.after;
    return [...this.rooms.values()]
      .filter(
        (r) => isListed(r) && (q.city === undefined || r.room!.city === q.city) && (q.hostId === undefined || r.room!.hostId === q.hostId),
      )
      .filter((r) => !after || (binary(r.updatedAt, after.updatedAt) || binary(r.roomId, after.id)) < 0)
      .sort((a, b) => binary(b.updatedAt, a.updatedAt) || binary(b.roomId, a.roomId))
      .slice(0, q.limit)
      .map((r) => structuredClone(r));
  }

  async roomsById(q: { city?: string; hostId?: string; limit: number; after?: string }): Promise<RoomRow[]> {
    const after = q.after;
    return [...this.rooms.values()]
      .filter(
        (r) => isListed(r) && (q.city === undefined || r.room!.city === q.city) && (q.hostId === undefined || r.room!.hostId === q.hostId),
      )
      .filter((r) => after === undefined || binary(r.roomId, after) > 0)
      .sort((a, b) => binary(a.roomId, b.roomId))
      .slice(0, q.limit)
      .map((r) => structuredClone(r));
  }

  async room(roomId: string): Promise<RoomRow | undefined> {
    return structuredClone(this.rooms.get(roomId));
  }

  async carsById(q: { city?: string; limit: number; after?: string }): Promise<CarRow[]> {
    const after = q.after;
    return [...this.cars.values()]
      .filter((c) => isListed(c) && (q.city === undefined || c.car!.city === q.city) && (after === undefined || binary(c.carId, after) > 0))
      .sort((a, b) => binary(a.carId, b.carId))
      .slice(0, q.limit)
      .map((c) => structuredClone(c));
  }

  async reservationStats(roomIds: string[]) {
    const stats = new Map<string, { active: number; latest: ReservationRow | undefined }>();
    for (const id of roomIds) {
      const of = await this.reservationsOf(id);
      stats.set(id, { active: of.filter(isActive).length, latest: of[0] });
    }
    return stats;
  }

  async reservationsOf(roomId: string): Promise<ReservationRow[]> {
    return [...this.reservations.values()]
      .filter((r) => r.roomId === roomId && r.status !== null)
      .sort(newestFirst)
      .map((r) => structuredClone(r));
  }

  async isHealthy(): Promise<boolean> {
    return this.healthy;
  }
}
