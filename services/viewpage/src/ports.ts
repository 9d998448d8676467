import type { CarRow, ReservationRow, Room, RoomRow } from './domain/projection';
import type { SearchCriteria } from './domain/search';

/** Keyset position in a list: most recently updated first (`updatedAt` then id, both descending), or by id ascending. */
export interface UpdatedAfter {
  updatedAt: string;
  id: string;
}

export type Reducer<Row> = (row: Row | undefined) => Row | undefined;

/**
 * The read model's writes. Every `update*` reads the row, applies the reducer and writes the
 * result atomically (row lock), so concurrent deliveries of events for the same aggregate never
 * lose an update. A reservation that names a room also moves that room's `updatedAt` forward.
 */
export interface ViewWriter {
  updateRoom(roomId: string, reduce: Reducer<RoomRow>): Promise<boolean>;
  updateCar(carId: string, reduce: Reducer<CarRow>): Promise<boolean>;
  updateReservation(reservationId: string, reduce: Reducer<ReservationRow>): Promise<boolean>;
}

/** The read model's storage (TypeORM over MariaDB or PostgreSQL in adapters/). */
export interface ViewStore extends ViewWriter {
  /**
   * Runs `work` with a writer whose updates commit together or not at all (one database
   * transaction for a batch of events). A race on a row runs the whole work again; any other
   * failure rolls every update of it back and is thrown.
   */
  inOneTransaction<T>(work: (writer: ViewWriter) => Promise<T>): Promise<T>;

  /** Listed rooms (snapshot present, not deleted), most recently updated first; only `hostId`'s when given. */
  roomsByUpdated(query: { city?: string; hostId?: string; limit: number; after?: UpdatedAfter }): Promise<RoomRow[]>;
  /** Listed rooms by id ascending. */
  roomsById(query: { city?: string; hostId?: string; limit: number; after?: string }): Promise<RoomRow[]>;
  room(roomId: string): Promise<RoomRow | undefined>;
  /** Listed cars by id ascending. */
  carsById(query: { city?: string; limit: number; after?: string }): Promise<CarRow[]>;

  /** Per room: the number of active (confirmed) reservations and the newest reservation. */
  reservationStats(roomIds: string[]): Promise<Map<string, { active: number; latest: ReservationRow | undefined }>>;
  /** All reservations of a room that a Reservation* event placed there, newest first. */
  reservationsOf(roomId: string): Promise<ReservationRow[]>;

  isHealthy(): Promise<boolean>;
}

/** One entry of the event history (the pub/sub topic's stream), as recorded: `type` and `data` unread. */
export interface RecordedEvent {
  id: string;
  /** Undefined when the entry is not an event at all (unreadable JSON). */
  type?: string;
  data?: unknown;
}

/** The events published so far, oldest first, as far as the history still holds them (the rebuild reads it). */
export interface EventHistory {
  entries(): AsyncIterable<RecordedEvent>;
}

/** The search's reads (GET /search/rooms): listed rooms free for a stay, from the view's own tables. */
export interface RoomSearchStore {
  /**
   * Listed rooms of `city` holding `guests`, priced within [minPrice, maxPrice] per night, with none
   * of the stay's nights booked, in `sort` order after `after`; at most `limit`.
   */
  freeRooms(criteria: SearchCriteria): Promise<Array<RoomRow & { room: Room }>>;
}
