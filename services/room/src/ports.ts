import type { Logger, StatePort } from '@staycar/common';

export type { StatePort };

/** Where room keeps each aggregate in its state store (the layout is the adapter's: adapters/state.ts). */
export interface RoomKeys {
  /** The room's record (`RoomRecord`: the room, its version, its tombstone). */
  room: (roomId: string) => string;
  /** The room's stay calendar (holds, bookings, tombstones of cancellations). */
  calendar: (roomId: string) => string;
  /** Every review of the room (`ReviewLog`). */
  reviews: (roomId: string) => string;
}

/** What room's use cases take from outside. */
export interface RoomPorts {
  state: StatePort;
  keys: RoomKeys;
  logger: Logger;
  now: () => Date;
  newId: (prefix: string) => string;
}
