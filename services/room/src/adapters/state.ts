export type { StatePort } from '@staycar/common';

/** State keys (Dapr prefixes them with the app id). */
export const keys = {
  room: (roomId: string) => `room:${roomId}`,
  calendar: (roomId: string) => `calendar:${roomId}`,
  reviews: (roomId: string) => `reviews:${roomId}`,
};
