import { assertSearch, positionOf, toSearchHit, type SearchCriteria, type SearchHit, type SearchPosition } from '../domain/search';
import type { RoomSearchStore } from '../ports';
import type { Page } from './read';

/**
 * GET /search/rooms: rooms free for a stay, from the read model only (no call to room). A room
 * shown free may be booked a moment later: the reservation then answers 409, as for any race.
 */
export class RoomSearcher {
  constructor(
    private readonly store: RoomSearchStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A page of free rooms with the stay's total price; 400 VALIDATION_FAILED for a stay a guest may not ask for. */
  async search(criteria: SearchCriteria): Promise<Page<SearchHit, SearchPosition>> {
    const nights = assertSearch(criteria, this.now());
    const rows = await this.store.freeRooms({ ...criteria, limit: criteria.limit + 1 });
    const page = rows.slice(0, criteria.limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => toSearchHit(row, nights)),
      next: rows.length > criteria.limit && last ? positionOf(criteria.sort, last) : undefined,
    };
  }
}
