import { searchQuery } from '../src/adapters/mysql/roomSearch';
import { MAX_PRICE, type SearchCriteria } from '../src/domain/search';

// The search's SQL text in both dialects (what it returns is proven on a real database by the
// RoomSearchStore contract in test/e2e/view-store-contract.test.ts): every value a parameter,
// placeholders and parameters in step, the walk on the room index alone.
const criteria = (over: Partial<SearchCriteria> = {}): SearchCriteria => ({
  city: "Jeju'; DROP TABLE view_room; --",
  stay: { checkIn: '2031-02-01', checkOut: '2031-02-04' },
  guests: 2,
  minPrice: 10,
  maxPrice: MAX_PRICE,
  sort: 'price',
  limit: 21,
  ...over,
});
const cases = [
  criteria(),
  criteria({ sort: 'rating' }),
  criteria({ after: { sort: 'price', key: 50_000, roomId: 'room-9' } }),
  criteria({ sort: 'rating', after: { sort: 'rating', key: 4.5, roomId: 'room-9' } }),
];

describe('the search query', () => {
  it.each(cases)('when asked (%#), then MySQL has as many ? as parameters and no value in its text', (c) => {
    const { sql, params } = searchQuery('mysql', c);
    expect(sql.split('?').length - 1).toBe(params.length);
    expect(sql).not.toContain('Jeju');
    expect(sql).not.toContain('2031-02-01');
    expect(params).toEqual(expect.arrayContaining([c.city, c.stay.checkIn, c.stay.checkOut, c.guests, c.limit]));
  });

  it.each(cases)('when asked (%#), then PostgreSQL numbers its parameters $1..$n, each once, and quotes every column', (c) => {
    const { sql, params } = searchQuery('postgres', c);
    const numbers = [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    expect(numbers).toEqual(params.map((_, i) => i + 1));
    expect(sql).not.toMatch(/\b[cnrf]\.[a-zA-Z]/);
    expect(sql).not.toContain('?');
  });

  it('when sorted, then the page is taken from the room index in the answer order (price ascending, rating descending) and only its rows are read', () => {
    expect(searchQuery('mysql', criteria()).sql).toMatch(
      /FROM \(SELECT c\.roomId FROM view_room c WHERE .* ORDER BY c\.pricePerNight ASC, c\.roomId ASC LIMIT \?\) f JOIN view_room r ON r\.roomId = f\.roomId ORDER BY r\.pricePerNight ASC, r\.roomId ASC$/,
    );
    expect(searchQuery('mysql', criteria({ sort: 'rating' })).sql).toMatch(
      /ORDER BY c\.ratingKey DESC, c\.roomId DESC LIMIT \?\) f .* ORDER BY r\.ratingKey DESC, r\.roomId DESC$/,
    );
    expect(searchQuery('mysql', criteria()).sql).toContain(
      'c.roomId NOT IN (SELECT n.roomId FROM view_room_night n WHERE n.city = ? AND n.night >= ? AND n.night < ?)',
    );
  });
});
