import { emptyReservation, type ReservationRow, type Room, type RoomRow } from '../src/domain/projection';
import {
  assertSearch,
  bookedStay,
  compareFor,
  isAfter,
  isFreeFor,
  MAX_PRICE,
  positionOf,
  searchProblems,
  stayNights,
  toSearchHit,
  totalPrice,
} from '../src/domain/search';
import { searchCursor } from '../src/http/search';

const NOW = new Date('2031-01-10T12:00:00Z');
const row = (over: Partial<ReservationRow>): ReservationRow => ({
  ...emptyReservation('r-1', NOW.toISOString()),
  roomId: 'room-1',
  checkIn: '2031-02-01',
  checkOut: '2031-02-04',
  status: 'confirmed',
  ...over,
});
const room = (roomId: string, pricePerNight: number, averageRating: number | null = null): RoomRow & { room: Room } => ({
  roomId,
  room: {
    id: roomId,
    hostId: 'h',
    name: roomId,
    city: 'Seoul',
    pricePerNight,
    currency: 'KRW',
    description: '',
    capacity: 2,
    cancellationPolicy: 'flexible',
    timeZone: 'Asia/Seoul',
    createdAt: null,
    updatedAt: null,
  },
  version: 1,
  deleted: false,
  reviewCount: averageRating === null ? 0 : 3,
  averageRating,
  reviewVersion: 0,
  updatedAt: NOW.toISOString(),
});

describe('the nights of a stay', () => {
  it('when a stay runs checkIn..checkOut, then its nights are checkIn up to, not including, checkOut (across a month and a leap day)', () => {
    expect(stayNights({ checkIn: '2031-02-01', checkOut: '2031-02-04' })).toEqual(['2031-02-01', '2031-02-02', '2031-02-03']);
    expect(stayNights({ checkIn: '2032-02-28', checkOut: '2032-03-02' })).toEqual(['2032-02-28', '2032-02-29', '2032-03-01']);
    expect(stayNights({ checkIn: '2031-12-31', checkOut: '2032-01-01' })).toEqual(['2031-12-31']);
  });

  it('when a reservation is confirmed (or any status but cancelled), then it books its nights; cancelled, incomplete or impossible rows book none', () => {
    expect(bookedStay(row({}))).toEqual({ roomId: 'room-1', checkIn: '2031-02-01', checkOut: '2031-02-04' });
    expect(bookedStay(row({ status: 'cancelled' }))).toBeUndefined();
    expect(bookedStay(row({ status: null }))).toBeUndefined();
    expect(bookedStay(row({ roomId: null }))).toBeUndefined();
    expect(bookedStay(row({ checkOut: null }))).toBeUndefined();
    expect(bookedStay(row({ checkOut: '2031-02-01' }))).toBeUndefined();
    expect(bookedStay(row({ checkOut: '2031-09-01' }))).toBeUndefined();
    expect(bookedStay(undefined)).toBeUndefined();
  });

  it('when booked nights are known, then a stay is free only if none of its nights is booked (back-to-back stays are free)', () => {
    const booked = new Set(stayNights({ checkIn: '2031-02-01', checkOut: '2031-02-04' }));
    expect(isFreeFor(booked, { checkIn: '2031-02-04', checkOut: '2031-02-06' })).toBe(true);
    expect(isFreeFor(booked, { checkIn: '2031-01-30', checkOut: '2031-02-01' })).toBe(true);
    expect(isFreeFor(booked, { checkIn: '2031-02-03', checkOut: '2031-02-05' })).toBe(false);
    expect(isFreeFor(booked, { checkIn: '2031-01-20', checkOut: '2031-02-20' })).toBe(false);
  });
});

describe('price, order and position', () => {
  it('when a stay has n nights, then the total is n × the price per night, in the hit with the room and its rating', () => {
    expect(totalPrice(85_000, 3)).toBe(255_000);
    expect(totalPrice(MAX_PRICE, 90)).toBe(9_000_000_000);
    expect(toSearchHit(room('a', 50_000, 4.5), 2)).toMatchObject({
      id: 'a',
      pricePerNight: 50_000,
      nights: 2,
      totalPrice: 100_000,
      averageRating: 4.5,
      reviewCount: 3,
    });
  });

  it('when sorted by price, then cheapest first, ties by id; by rating, best first, unrated last, ties by id descending', () => {
    const rooms = [room('b', 100, 3), room('a', 100, null), room('c', 50, 5), room('d', 200, 3)];
    expect([...rooms].sort(compareFor('price')).map((r) => r.roomId)).toEqual(['c', 'a', 'b', 'd']);
    expect([...rooms].sort(compareFor('rating')).map((r) => r.roomId)).toEqual(['c', 'd', 'b', 'a']);
  });

  it('when a page ends at a room, then exactly the rooms after it in that order come after its position', () => {
    const rooms = [room('a', 100, null), room('b', 100, 3), room('c', 50, 5), room('d', 200, 3)];
    for (const sort of ['price', 'rating'] as const) {
      const ordered = [...rooms].sort(compareFor(sort));
      for (const [i, r] of ordered.entries()) {
        expect(ordered.filter((x) => isAfter(positionOf(sort, r), x)).map((x) => x.roomId)).toEqual(
          ordered.slice(i + 1).map((x) => x.roomId),
        );
      }
    }
  });

  it('when a position goes out as a cursor, then it comes back the same for its sort and is refused for the other or forged', () => {
    const position = { sort: 'rating' as const, key: 4.25, roomId: 'room-9' };
    expect(searchCursor.decode(searchCursor.encode(position), 'rating')).toEqual(position);
    expect(() => searchCursor.decode(searchCursor.encode(position), 'price')).toThrow(/query string is not valid/);
    expect(() => searchCursor.decode(Buffer.from('{"s":"price","k":-1,"id":"x"}').toString('base64url'), 'price')).toThrow(/query string/);
    expect(() => searchCursor.decode('not a cursor', 'price')).toThrow(/query string/);
  });
});

describe('what a search may ask', () => {
  const ask = (checkIn: string, checkOut: string, minPrice = 0, maxPrice = MAX_PRICE) => ({
    stay: { checkIn, checkOut },
    minPrice,
    maxPrice,
  });

  it('when the stay is one a guest may book, then the search has its nights', () => {
    expect(assertSearch(ask('2031-01-10', '2031-01-12'), NOW)).toBe(2);
    expect(searchProblems(ask('2031-01-10', '2031-04-10'), NOW)).toEqual([]);
  });

  it('when the stay breaks the stay rules or the price range is upside down, then each problem names its field', () => {
    expect(searchProblems(ask('2031-01-09', '2031-01-12'), NOW)).toEqual([{ field: 'checkIn', reason: 'must be today (UTC) or later' }]);
    expect(searchProblems(ask('2031-01-12', '2031-01-12'), NOW)).toEqual([{ field: 'checkOut', reason: 'must be after checkIn' }]);
    expect(searchProblems(ask('2031-01-12', '2031-06-12'), NOW)).toEqual([{ field: 'checkOut', reason: 'a stay is at most 90 nights' }]);
    expect(searchProblems(ask('2033-01-12', '2033-01-13'), NOW)).toEqual([{ field: 'checkIn', reason: 'must be at most 500 days ahead' }]);
    expect(searchProblems(ask('2031-02-30', '2031-03-01'), NOW)).toEqual([
      { field: 'checkIn', reason: 'must be a calendar day YYYY-MM-DD' },
    ]);
    expect(searchProblems(ask('2031-01-12', '2031-01-13', 500, 100), NOW)).toEqual([
      { field: 'maxPrice', reason: 'must not be below minPrice' },
    ]);
    expect(() => assertSearch(ask('2031-01-12', '2031-01-13', 500, 100), NOW)).toThrow(/search is not valid/);
  });
});
