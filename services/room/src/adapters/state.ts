import type { Sidecar } from '@staycar/common';

/**
 * What the room service needs of its state store: ETag reads, plain first-write-wins saves (no
 * event) and transactions (each upsert published by Dapr's outbox). `Sidecar` implements it over
 * Dapr; unit tests use an in-process implementation with the same ETag rules.
 */
export type StatePort = Pick<Sidecar, 'getState' | 'saveState' | 'transact'>;

/** State keys (Dapr prefixes them with the app id). */
export const keys = {
  room: (roomId: string) => `room:${roomId}`,
  calendar: (roomId: string) => `calendar:${roomId}`,
  reviews: (roomId: string) => `reviews:${roomId}`,
};
