import type { RoomKeys } from '../ports';

/** Room's state keys: readable, one aggregate each (Dapr prefixes them with the app id). */
export const roomKeys: RoomKeys = {
  room: (roomId) => `room:${roomId}`,
  calendar: (roomId) => `calendar:${roomId}`,
  reviews: (roomId) => `reviews:${roomId}`,
};
