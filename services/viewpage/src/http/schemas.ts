import { Type, type Static } from '@sinclair/typebox';
import { CalendarDay, ClientId, Money, NonBlankText, PageQuery, Strict } from '@staycar/common';

export const RoomViewsQuery = Strict({ city: Type.Optional(NonBlankText(200)), ...PageQuery });
export type RoomViewsQuery = Static<typeof RoomViewsQuery>;

export const RoomsQuery = Strict({ city: Type.Optional(NonBlankText(200)), hostId: Type.Optional(ClientId), ...PageQuery });
export type RoomsQuery = Static<typeof RoomsQuery>;

export const CarsQuery = Strict({ city: Type.Optional(NonBlankText(200)), ...PageQuery });
export type CarsQuery = Static<typeof CarsQuery>;

/**
 * GET /search/rooms: the city and the stay are required; `guests` (default 1), a price range per
 * night (`minPrice`, `maxPrice`, both ends included) and the order (`sort`: `price`, the default,
 * cheapest first; `rating`, best first) are not.
 */
export const SearchRoomsQuery = Strict({
  city: NonBlankText(200),
  checkIn: CalendarDay,
  checkOut: CalendarDay,
  guests: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
  minPrice: Type.Optional(Money),
  maxPrice: Type.Optional(Money),
  sort: Type.Optional(Type.Unsafe<'price' | 'rating'>({ type: 'string', enum: ['price', 'rating'] })),
  ...PageQuery,
});
export type SearchRoomsQuery = Static<typeof SearchRoomsQuery>;
