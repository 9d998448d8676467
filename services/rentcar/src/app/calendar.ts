import { BookableCalendar, holdView, ListingStays, type BookedListings } from '@staycar/common';
import {
  carHasReservations,
  carNotFound,
  carStayOf,
  carUnavailable,
  rentcarReleased,
  rentcarReserved,
  snapshotOf,
  UNKNOWN_CAR,
  type Car,
  type CarSnapshot,
  type Hold,
} from '../domain/car';
import type { RentcarPorts } from '../ports';

/**
 * The cars' rental calendars in the state store: one ETag-guarded key per car. Unlike rooms, a car
 * tells the world: RentcarReserved with the write that books it, RentcarReleased with the one that
 * frees it (each once per reservation).
 */
export const carBookings = (ports: RentcarPorts, settings: { holdTtlSeconds: number; writeAttempts: number }) =>
  new BookableCalendar<CarSnapshot, Hold>(
    {
      noun: 'car',
      unit: 'days',
      calendarKey: ports.keys.calendar,
      notFound: carNotFound,
      unavailable: carUnavailable,
      hasReservations: carHasReservations,
      toHold: holdView('carId'),
      events: {
        booked: (carId, entry, now) => rentcarReserved(carStayOf(carId, entry), now),
        released: (carId, request, now) => rentcarReleased({ carId, ...request }, now),
      },
    },
    { ...settings, ...ports },
  );

/** Availability, the saga's holds (hold, release, confirm) and the Reservation* events of a car. */
export type CarCalendar = ListingStays<Car, CarSnapshot, Hold>;

export const createCarCalendar = (
  bookings: BookableCalendar<CarSnapshot, Hold>,
  cars: BookedListings<Car>,
  ports: Pick<RentcarPorts, 'now'>,
): CarCalendar => new ListingStays(bookings, cars, snapshotOf, UNKNOWN_CAR, ports.now);
