import { BookableCalendar, holdView, ListingStays, type BookedListings } from '@staycar/common';
import {
  roomHasReservations,
  roomNotFound,
  roomUnavailable,
  snapshotOf,
  UNKNOWN_ROOM,
  type Hold,
  type Room,
  type RoomSnapshot,
} from '../domain/room';
import type { RoomPorts } from '../ports';

/** The rooms' stay calendars in the state store: one ETag-guarded key per room (rooms publish no calendar events). */
export const roomBookings = (ports: RoomPorts, settings: { holdTtlSeconds: number; writeAttempts: number }) =>
  new BookableCalendar<RoomSnapshot, Hold>(
    {
      noun: 'room',
      unit: 'nights',
      calendarKey: ports.keys.calendar,
      notFound: roomNotFound,
      unavailable: roomUnavailable,
      hasReservations: roomHasReservations,
      toHold: holdView('roomId'),
    },
    { ...settings, ...ports },
  );

/** Availability, the saga's holds (hold, release, confirm) and the Reservation* events of a room. */
export type RoomCalendar = ListingStays<Room, RoomSnapshot, Hold>;

export const createRoomCalendar = (
  bookings: BookableCalendar<RoomSnapshot, Hold>,
  rooms: BookedListings<Room>,
  ports: Pick<RoomPorts, 'now'>,
): RoomCalendar => new ListingStays(bookings, rooms, snapshotOf, UNKNOWN_ROOM, ports.now);
