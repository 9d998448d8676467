import {
  applyCarBooking,
  applyCarDeleted,
  applyCarSnapshot,
  applyPayment,
  applyReservation,
  applyReviewCreated,
  applyRoomDeleted,
  applyRoomSnapshot,
  isActive,
  isListed,
  summarize,
  toRoomView,
  type Car,
  type Room,
  type RoomRow,
  type RoomView,
} from '../domain/projection';
import { mayRead, type Caller } from '@staycar/common';
import type { ViewEvent } from '../domain/events';
import type { UpdatedAfter, ViewStore } from './ports';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Opaque cursors (base64url JSON); undefined when the string is not one we made. */
export function encodeCursor(position: UpdatedAfter | string): string {
  return Buffer.from(JSON.stringify(typeof position === 'string' ? { id: position } : { u: position.updatedAt, id: position.id })).toString(
    'base64url',
  );
}

export function decodeUpdatedCursor(cursor: string): UpdatedAfter | undefined {
  const parsed = parse(cursor);
  return typeof parsed?.u === 'string' && typeof parsed.id === 'string' ? { updatedAt: parsed.u, id: parsed.id } : undefined;
}

export function decodeIdCursor(cursor: string): string | undefined {
  const parsed = parse(cursor);
  return typeof parsed?.id === 'string' && parsed.u === undefined ? parsed.id : undefined;
}

function parse(cursor: string): { u?: unknown; id?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

const listed = (row: RoomRow): row is RoomRow & { room: Room } => isListed(row);

/** Folds events into the read model and answers its queries. */
export class ViewService {
  private readonly cache = new Map<string, { until: number; value: Promise<unknown> }>();

  /**
   * @param listCacheMs how long an identical list query may be answered from memory (0 = never).
   *   The view is eventually consistent already; a few hundred ms more lets a busy list be read
   *   once per period instead of once per request (identical concurrent queries share one read).
   */
  constructor(
    private readonly store: ViewStore,
    private readonly now: () => Date = () => new Date(),
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

  /** Idempotent and order-tolerant: the pure reducers ignore what is not newer than the row. */
  async apply(event: ViewEvent): Promise<boolean> {
    const now = this.now().toISOString();
    switch (event.type) {
      case 'RoomRegistered':
      case 'RoomModified':
        return this.store.updateRoom(event.data.roomId, (row) => applyRoomSnapshot(row, event.data, now));
      case 'RoomDeleted':
        return this.store.updateRoom(event.data.roomId, (row) => applyRoomDeleted(row, event.data, now));
      case 'ReviewCreated':
        return this.store.updateRoom(event.data.roomId, (row) => applyReviewCreated(row, event.data, now));
      case 'RentcarRegistered':
      case 'RentcarModified':
        return this.store.updateCar(event.data.carId, (row) => applyCarSnapshot(row, event.data, now));
      case 'RentcarDeleted':
        return this.store.updateCar(event.data.carId, (row) => applyCarDeleted(row, event.data, now));
      case 'RentcarReserved':
      case 'RentcarReleased': {
        const status = event.type === 'RentcarReserved' ? 'reserved' : 'released';
        return this.store.updateReservation(event.data.reservationId, (row) => applyCarBooking(row, status, event.data, now));
      }
      case 'ReservationConfirmed':
      case 'ReservationCancelled': {
        const status = event.type === 'ReservationConfirmed' ? 'confirmed' : 'cancelled';
        return this.store.updateReservation(event.data.reservationId, (row) => applyReservation(row, status, event.data, now));
      }
      case 'PaymentApproved':
      case 'PaymentRefunded': {
        const status = event.type === 'PaymentApproved' ? 'approved' : 'refunded';
        return this.store.updateReservation(event.data.reservationId, (row) => applyPayment(row, status, event.data, now));
      }
    }
  }

  /** `hostId`: only that host's rooms (the caller's, unless an operator asks: then every room). */
  roomViews(query: { city?: string; hostId?: string; limit: number; after?: UpdatedAfter }): Promise<Page<RoomView>> {
    return this.cached(`roomviews ${JSON.stringify(query)}`, () => this.readRoomViews(query));
  }

  private async readRoomViews(query: { city?: string; hostId?: string; limit: number; after?: UpdatedAfter }): Promise<Page<RoomView>> {
    const rows = (await this.store.roomsByUpdated({ ...query, limit: query.limit + 1 })).filter(listed);
    const page = rows.slice(0, query.limit);
    const stats = await this.store.reservationStats(page.map((r) => r.roomId));
    const items = page.map((row) => {
      const s = stats.get(row.roomId);
      return toRoomView(row, s?.active ?? 0, s?.latest);
    });
    const last = page.at(-1);
    return { items, nextCursor: rows.length > query.limit && last ? encodeCursor({ updatedAt: last.updatedAt, id: last.roomId }) : null };
  }

  /** A room's view, for its host or an operator; for anyone else there is none (undefined, like an unknown room). */
  async roomView(
    roomId: string,
    caller: Caller,
  ): Promise<(RoomView & { reservations: NonNullable<RoomView['reservations']> }) | undefined> {
    const row = await this.store.room(roomId);
    if (!row || !listed(row) || !mayRead(caller, row.room.hostId)) return undefined;
    const reservations = await this.store.reservationsOf(roomId);
    const view = toRoomView(row, reservations.filter(isActive).length, reservations[0]);
    return { ...view, reservations: reservations.map(summarize) };
  }

  rooms(query: { city?: string; hostId?: string; limit: number; after?: string }): Promise<Page<Room>> {
    return this.cached(`rooms ${JSON.stringify(query)}`, () => this.readRooms(query));
  }

  private async readRooms(query: { city?: string; hostId?: string; limit: number; after?: string }): Promise<Page<Room>> {
    const rows = (await this.store.roomsById({ ...query, limit: query.limit + 1 })).filter(listed);
    const page = rows.slice(0, query.limit);
    return { items: page.map((r) => r.room), nextCursor: rows.length > query.limit ? encodeCursor(page.at(-1)!.roomId) : null };
  }

  cars(query: { city?: string; limit: number; after?: string }): Promise<Page<Car>> {
    return this.cached(`cars ${JSON.stringify(query)}`, () => this.readCars(query));
  }

  private async readCars(query: { city?: string; limit: number; after?: string }): Promise<Page<Car>> {
    const rows = (await this.store.carsById({ ...query, limit: query.limit + 1 })).filter((r): r is typeof r & { car: Car } => isListed(r));
    const page = rows.slice(0, query.limit);
    return { items: page.map((r) => r.car), nextCursor: rows.length > query.limit ? encodeCursor(page.at(-1)!.carId) : null };
  }
}
