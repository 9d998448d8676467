import type { RentcarPorts } from '../ports';
import { carBookings, createCarCalendar, type CarCalendar } from './calendar';
import { createCars, type Cars } from './cars';

export interface RentcarSettings {
  /** A hold that is not confirmed stops blocking after this many seconds. */
  holdTtlSeconds: number;
  /** Attempts of a read-decide-write that loses ETag races before TRY_LATER. */
  writeAttempts: number;
}

/** Everything rentcar does, over its ports. */
export interface RentcarUseCases {
  cars: Cars;
  calendar: CarCalendar;
}

export function rentcarUseCases(ports: RentcarPorts, settings: RentcarSettings): RentcarUseCases {
  const bookings = carBookings(ports, settings);
  const cars = createCars(ports, bookings, settings.writeAttempts);
  return { cars, calendar: createCarCalendar(bookings, cars, ports) };
}
