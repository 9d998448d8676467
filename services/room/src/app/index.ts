import type { RoomPorts } from '../ports';
import { createRoomCalendar, roomBookings, type RoomCalendar } from './calendar';
import { Reviews } from './reviews';
import { createRooms, type Rooms } from './rooms';

export interface RoomSettings {
  /** A hold that is not confirmed stops blocking after this many seconds. */
  holdTtlSeconds: number;
  /** Attempts of a read-decide-write that loses ETag races before TRY_LATER. */
  writeAttempts: number;
}

/** Everything room does, over its ports. */
export interface RoomUseCases {
  rooms: Rooms;
  calendar: RoomCalendar;
  reviews: Reviews;
}

export function roomUseCases(ports: RoomPorts, settings: RoomSettings): RoomUseCases {
  const bookings = roomBookings(ports, settings);
  const rooms = createRooms(ports, bookings, settings.writeAttempts);
  const calendar = createRoomCalendar(bookings, rooms, ports);
  return { rooms, calendar, reviews: new Reviews(ports, rooms, calendar, settings.writeAttempts) };
}
