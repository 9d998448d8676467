import { addDays, nightsOf, rangeProblems, stayProblems, validationFailed, type DateRange, type ErrorDetail } from '@staycar/common';
import type { ReservationRow, Room, RoomRow } from './projection';

/**
 * Search of free rooms (GET /search/rooms), pure: which nights a reservation books, whether a room
 * is free for a stay, what a stay costs, the order of the results and their keyset positions.
 */

export type SearchSort = 'price' | 'rating';

/** A room without a stated capacity holds one guest (room's DEFAULT_CAPACITY). */
export const DEFAULT_CAPACITY = 1;

/** The most a room may cost per night (API.md: pricePerNight 0..100000000): the open end of a price range. */
export const MAX_PRICE = 100_000_000;

/** A room as the search shows it: the Room of `GET /rooms`, its rating, and the stay's nights and total price. */
export type SearchHit = Room & {
  averageRating: number | null;
  reviewCount: number;
  nights: number;
  totalPrice: number;
};

/** Where a page ended: the sort, the last room's sort key (price, or rating with none as 0) and its id. */
export interface SearchPosition {
  sort: SearchSort;
  key: number;
  roomId: string;
}

export interface SearchCriteria {
  city: string;
  stay: DateRange;
  guests: number;
  minPrice: number;
  maxPrice: number;
  sort: SearchSort;
  limit: number;
  after?: SearchPosition;
}

/** A reservation's hold on a room's nights [checkIn, checkOut). */
export interface BookedStay extends DateRange {
  roomId: string;
}

/** Every night of a stay: checkIn, checkIn + 1, … up to, not including, checkOut. */
export function stayNights(stay: DateRange): string[] {
  return Array.from({ length: nightsOf(stay) }, (_, i) => addDays(stay.checkIn, i));
}

/**
 * The nights a reservation row holds: every reservation the view knows with a status, until it is
 * cancelled (a completed stay keeps its nights). None for a row that still lacks its room or dates
 * (a payment event came first) or whose dates are no stay at all.
 */
export function bookedStay(row: ReservationRow | undefined): BookedStay | undefined {
  if (!row || row.status === null || row.status === 'cancelled') return undefined;
  if (row.roomId === null || row.checkIn === null || row.checkOut === null) return undefined;
  const stay = { checkIn: row.checkIn, checkOut: row.checkOut };
  if (rangeProblems(stay).length > 0) return undefined;
  return { roomId: row.roomId, ...stay };
}

export const sameStay = (a: BookedStay | undefined, b: BookedStay | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.roomId === b.roomId && a.checkIn === b.checkIn && a.checkOut === b.checkOut);

/** Free when none of the stay's nights is among the room's booked ones. */
export const isFreeFor = (booked: ReadonlySet<string>, stay: DateRange): boolean => stayNights(stay).every((night) => !booked.has(night));

export const capacityOf = (room: Room): number => room.capacity ?? DEFAULT_CAPACITY;

/** The rating sort's key: the average rating, 0 for a room without reviews (ratings are 1..5: it sorts last). */
export const ratingKeyOf = (row: Pick<RoomRow, 'averageRating'>): number => row.averageRating ?? 0;

export const sortKeyOf = (sort: SearchSort, row: RoomRow & { room: Room }): number =>
  sort === 'price' ? row.room.pricePerNight : ratingKeyOf(row);

export const totalPrice = (pricePerNight: number, nights: number): number => pricePerNight * nights;

/** Whether a room matches everything but its nights (city, capacity, price range). */
export const matches = (room: Room, c: Pick<SearchCriteria, 'city' | 'guests' | 'minPrice' | 'maxPrice'>): boolean =>
  room.city === c.city && capacityOf(room) >= c.guests && room.pricePerNight >= c.minPrice && room.pricePerNight <= c.maxPrice;

const binary = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * The order of the results: by price, cheapest first, then by id; by rating, best first, then by id
 * descending (one index walked backwards). Ids compare by their bytes, as the view's columns do.
 */
export function compareFor(sort: SearchSort): (a: RoomRow & { room: Room }, b: RoomRow & { room: Room }) => number {
  if (sort === 'price') return (a, b) => a.room.pricePerNight - b.room.pricePerNight || binary(a.roomId, b.roomId);
  return (a, b) => ratingKeyOf(b) - ratingKeyOf(a) || binary(b.roomId, a.roomId);
}

/** Whether a room comes after `position` in its sort (the keyset condition of the next page). */
export function isAfter(position: SearchPosition, row: RoomRow & { room: Room }): boolean {
  const key = sortKeyOf(position.sort, row);
  const byId = binary(row.roomId, position.roomId);
  return position.sort === 'price'
    ? key > position.key || (key === position.key && byId > 0)
    : key < position.key || (key === position.key && byId < 0);
}

export const positionOf = (sort: SearchSort, row: RoomRow & { room: Room }): SearchPosition => ({
  sort,
  key: sortKeyOf(sort, row),
  roomId: row.roomId,
});

export function toSearchHit(row: RoomRow & { room: Room }, nights: number): SearchHit {
  return {
    ...row.room,
    averageRating: row.averageRating,
    reviewCount: row.reviewCount,
    nights,
    totalPrice: totalPrice(row.room.pricePerNight, nights),
  };
}

/** What is wrong with a search: the stay rules of a stay a guest may ask for (as availability), and the price range. */
export function searchProblems(c: Pick<SearchCriteria, 'stay' | 'minPrice' | 'maxPrice'>, now: Date): ErrorDetail[] {
  const problems = stayProblems(c.stay, now);
  if (c.maxPrice < c.minPrice) problems.push({ field: 'maxPrice', reason: 'must not be below minPrice' });
  return problems;
}

/** The stay's number of nights, or 400 VALIDATION_FAILED naming each field. */
export function assertSearch(c: Pick<SearchCriteria, 'stay' | 'minPrice' | 'maxPrice'>, now: Date): number {
  const problems = searchProblems(c, now);
  if (problems.length > 0) throw validationFailed(problems, 'The search is not valid.');
  return nightsOf(c.stay);
}
