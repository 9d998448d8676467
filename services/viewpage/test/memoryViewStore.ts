import { byNewest, isActive, isListed, type CarRow, type ReservationRow, type RoomRow } from '../src/domain/projection';
import type { Reducer, UpdatedAfter, ViewStore } from '../src/service/ports';

/** In-process stand-in for OUR ViewStore interface (the real one is TypeORM over MariaDB). */
export class MemoryViewStore implements ViewStore {
  readonly rooms = new Map<string, RoomRow>();
  readonly cars = new Map<string, CarRow>();
  readonly reservations = new Map<string, ReservationRow>();
  healthy = true;

  private change<Row>(map: Map<string, Row>, id: string, reduce: Reducer<Row>): Row | undefined {
    const next = reduce(map.has(id) ? structuredClone(map.get(id)) : undefined);
    if (next !== undefined) map.set(id, next);
    return next;
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
    if (next && room && next.updatedAt > room.updatedAt) room.updatedAt = next.updatedAt;
    return next !== undefined;
  }

  async roomsByUpdated(q: { city?: string; hostId?: string; limit: number; after?: UpdatedAfter }): Promise<RoomRow[]> {
    return [...this.rooms.values()]
      .filter(
        (r) => isListed(r) && (q.city === undefined || r.room!.city === q.city) && (q.hostId === undefined || r.room!.hostId === q.hostId),
      )
      .filter((r) => !q.after || r.updatedAt < q.after.updatedAt || (r.updatedAt === q.after.updatedAt && r.roomId < q.after.id))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.roomId.localeCompare(a.roomId))
      .slice(0, q.limit);
  }

  async roomsById(q: { city?: string; hostId?: string; limit: number; after?: string }): Promise<RoomRow[]> {
    return [...this.rooms.values()]
      .filter(
        (r) => isListed(r) && (q.city === undefined || r.room!.city === q.city) && (q.hostId === undefined || r.room!.hostId === q.hostId),
      )
      .filter((r) => q.after === undefined || r.roomId > q.after)
      .sort((a, b) => a.roomId.localeCompare(b.roomId))
      .slice(0, q.limit);
  }

  async room(roomId: string): Promise<RoomRow | undefined> {
    return this.rooms.get(roomId);
  }

  async carsById(q: { city?: string; limit: number; after?: string }): Promise<CarRow[]> {
    return [...this.cars.values()]
      .filter((c) => isListed(c) && (q.city === undefined || c.car!.city === q.city) && (q.after === undefined || c.carId > q.after))
      .sort((a, b) => a.carId.localeCompare(b.carId))
      .slice(0, q.limit);
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
    return [...this.reservations.values()].filter((r) => r.roomId === roomId && r.status !== null).sort(byNewest);
  }

  async isHealthy(): Promise<boolean> {
    return this.healthy;
  }
}
