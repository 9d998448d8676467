import { Type } from '@sinclair/typebox';
import type { Express } from 'express';
import { cursorCodec, parseQuery, validationFailed } from '@staycar/common';
import { MAX_PRICE, type SearchPosition, type SearchSort } from '../domain/search';
import type { RoomSearcher } from '../app/search';
import { SearchRoomsQuery } from './schemas';

/** The search's position: the sort (`s`), the last room's sort key (`k`: price or rating) and its id. */
const searchCodec = cursorCodec(
  Type.Object(
    {
      s: Type.Union([Type.Literal('price'), Type.Literal('rating')]),
      k: Type.Number({ minimum: 0, maximum: MAX_PRICE }),
      id: Type.String({ minLength: 1, maxLength: 200 }),
    },
    { additionalProperties: false },
  ),
);

export const searchCursor = {
  encode: (p: SearchPosition): string => searchCodec.encode({ s: p.sort, k: p.key, id: p.roomId }),
  /** A cursor of another sort than the query's is refused like a foreign one. */
  decode(cursor: string, sort: SearchSort): SearchPosition {
    const { s, k, id } = searchCodec.decode(cursor);
    if (s !== sort)
      throw validationFailed([{ field: 'cursor', reason: 'is not a cursor this list gave out' }], 'The query string is not valid.');
    return { sort: s, key: k, roomId: id };
  },
};

/** GET /search/rooms: public, like the catalogue (the gateway still refuses a token that is sent and invalid). */
export function mountSearchRoutes(app: Express, searcher: RoomSearcher): void {
  app.get('/search/rooms', async (req, res) => {
    const q = parseQuery(SearchRoomsQuery, req.query);
    const sort = q.sort ?? 'price';
    const page = await searcher.search({
      city: q.city,
      stay: { checkIn: q.checkIn, checkOut: q.checkOut },
      guests: q.guests ?? 1,
      minPrice: q.minPrice ?? 0,
      maxPrice: q.maxPrice ?? MAX_PRICE,
      sort,
      limit: q.limit,
      after: q.cursor === undefined ? undefined : searchCursor.decode(q.cursor, sort),
    });
    res.json({ items: page.items, nextCursor: page.next === undefined ? null : searchCursor.encode(page.next) });
  });
}
