import { isListed, type Room, type RoomRow } from '../src/domain/projection';
import { bookedStay, compareFor, isAfter, isFreeFor, matches, stayNights, type SearchCriteria } from '../src/domain/search';
import type { RoomSearchStore } from '../src/ports';
import type { MemoryViewStore } from './memoryViewStore';

/**
 * The search over MemoryViewStore's rows, for the unit tests: a room's booked nights are those of
 * its reservations as `bookedStay` reads them (the rule the real store's night rows follow), and
 * the order, keyset and filters are the domain's. Proven against the real query by the contract
 * (test/support/roomSearchContract.ts).
 */
export class MemoryRoomSearch implements RoomSearchStore {
  constructor(private readonly view: MemoryViewStore) {}

  async freeRooms(c: SearchCriteria): Promise<Array<RoomRow & { room: Room }>> {
    const booked = new Map<string, Set<string>>();
    for (const row of this.view.reservations.values()) {
      const stay = bookedStay(row);
      if (!stay) continue;
      const nights = booked.get(stay.roomId) ?? new Set<string>();
      for (const night of stayNights(stay)) nights.add(night);
      booked.set(stay.roomId, nights);
    }
    const after = c.after;
    return [...this.view.rooms.values()]
      .filter((r): r is RoomRow & { room: Room } => isListed(r))
      .filter((r) => matches(r.room, c) && isFreeFor(booked.get(r.roomId) ?? new Set(), c.stay))
      .filter((r) => !after || isAfter(after, r))
      .sort(compareFor(c.sort))
      .slice(0, c.limit)
      .map((r) => structuredClone(r));
  }
}
