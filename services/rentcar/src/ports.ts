import type { Logger, StatePort } from '@staycar/common';

export type { StatePort };

/** Where rentcar keeps each aggregate in its state store (the layout is the adapter's: adapters/state.ts). */
export interface CarKeys {
  /** The car's record (`CarRecord`: the car, its version, its tombstone). */
  car: (carId: string) => string;
  /** The car's rental calendar (holds, bookings, tombstones of cancellations). */
  calendar: (carId: string) => string;
}

/** What rentcar's use cases take from outside. */
export interface RentcarPorts {
  state: StatePort;
  keys: CarKeys;
  logger: Logger;
  now: () => Date;
  newId: (prefix: string) => string;
}
