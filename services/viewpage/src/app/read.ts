import { isActive, isListed, summarize, toRoomView, type Car, type Room, type RoomRow, type RoomView } from '../domain/projection';
import { mayRead, notFound, type Caller } from '@staycar/common';
import type { UpdatedAfter, ViewStore } from '../ports';

/** One page of a list and the position after its last item (undefined on the last page); http/ turns it into a cursor. */
export interface Page<T, Position> {
  items: T[];
  next: Position | undefined;
}

export type RoomViewWithReservations = RoomView & { reservations: NonNullable<RoomView['reservations']> };

const listed = (row: RoomRow): row is RoomRow & { room: Room } => isListed(row);

/** Answers the read model's queries (the lists from a short-lived memory cache when asked to). */
export class ViewReader {
  private readonly cache = new Map<string, { until: number; value: Promise<unknown> }>();

  /**
   * @param listCacheMs how long an identical list query may be answered from memory (0 = never).
   *   The view is eventually consistent already; a few hundred ms more lets a busy list be read
   *   once per period instead of once per request (identical concurrent queries share one read).
   */
  constructor(
    private readonly store: ViewStore,
    private readonly listCacheMs = 0,
  ) {}

  private cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (this.listCacheMs <= 0) return read();
    const at = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > at) return hit.value as Promise<T>;
    if (this.cache.size > 1000) this.cache.clear();
    const value = read();
    this.cache.set(key, { until: at + this.listCacheMs, value });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  /** `hostId`: only that host's rooms (the caller's, unless an operator asks: then every room). */
  roomViews(query: { city?: string; hostId?: string; limit: number; after?: UpdatedAfter }): Promise<Page<RoomView, UpdatedAfter>> {
    return this.cached(`roomviews ${JSON.stringify(query)}`, () => this.readRoomViews(query));
  }

  private async readRoomViews(query: {
    city?: string;
    hostId?: string;
    limit: number;
    after?: UpdatedAfter;
  }): Promise<Page<RoomView, UpdatedAfter>> {
    const rows = (await this.store.roomsByUpdated({ ...query, limit: query.limit + 1 })).filter(listed);
    const page = rows.slice(0, query.limit);
    const stats = await this.store.reservationStats(page.map((r) => r.roomId));
    const items = page.map((row) => {
      const s = stats.get(row.roomId);
      return toRoomView(row, s?.active ?? 0, s?.latest);
    });
    const last = page.at(-1);
    return { items, next: rows.length > query.limit && last ? { updatedAt: last.updatedAt, id: last.roomId } : undefined };
  }

  /** A room's view, for its host or an operator; for anyone else there is none (NOT_FOUND, like an unknown room). */
  async roomView(roomId: string, caller: Caller): Promise<RoomViewWithReservations> {
    const row = await this.store.room(roomId);
    if (!row || !listed(row) || !mayRead(caller, row.room.hostId)) throw noSuchRoomView();
    const reservations = await this.store.reservationsOf(roomId);
    const view = toRoomView(row, reservations.filter(isActive).length, reservations[0]);
    return { ...view, reservations: reservations.map(summarize) };
  }

  rooms(query: { city?: string; hostId?: string; limit: number; after?: string }): Promise<Page<Room, string>> {
    return this.cached(`rooms ${JSON.stringify(query)}`, () => this.readRooms(query));
  }

  private async readRooms(query: { city?: string; hostId?: string; limit: number; after?: string }): Promise<Page<Room, string>> {
    const rows = (await this.store.roomsById({ ...query, limit: query.limit + 1 })).filter(listed);
    const page = rows.slice(0, query.limit);
    return { items: page.map((r) => r.room), next: rows.length > query.limit ? page.at(-1)!.roomId : undefined };
  }

  cars(query: { city?: string; limit: number; after?: string }): Promise<Page<Car, string>> {
    return this.cached(`cars ${JSON.stringify(query)}`, () => this.readCars(query));
  }

  private async readCars(query: { city?: string; limit: number; after?: string }): Promise<Page<Car, string>> {
    const rows = (await this.store.carsById({ ...query, limit: query.limit + 1 })).filter((r): r is typeof r & { car: Car } => isListed(r));
    const page = rows.slice(0, query.limit);
    return { items: page.map((r) => r.car), next: rows.length > query.limit ? page.at(-1)!.carId : undefined };
  }
}

export const noSuchRoomView = () => notFound('NOT_FOUND', 'No such room in the view.');
