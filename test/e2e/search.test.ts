import { api, eventually, newUsers, stay, unique, type User } from '../support/api';

// GET /search/rooms through the gateway against the real system: rooms registered and reserved
// through the public API, their events through the real outbox and Redis Streams into viewpage's
// MariaDB tables, the search read from there (no call to room). Every room here is in a city of
// this run's own, so nothing else in the shared view interferes.

let host: User;
let guest: User;
const city = unique('search-city');
const rooms: Record<'a' | 'b' | 'c' | 'd', { id: string; pricePerNight: number }> = {} as never;
/** Days for the stays the rating test books (60, 61, …; a retry takes the next ones). */
let nextDay = 60;
/** 20 days of their own for a test that books (100, 120, …): a retried test must not find its first attempt's stays. */
let nextBlock = 100;
const block = () => (nextBlock += 20) - 20;

/** The Room shape of API.md plus what the search adds; anything else in an item would be a leak. */
const ITEM_KEYS = [
  'id',
  'hostId',
  'name',
  'city',
  'pricePerNight',
  'currency',
  'description',
  'capacity',
  'createdAt',
  'updatedAt',
  'averageRating',
  'reviewCount',
  'nights',
  'totalPrice',
].sort();

const query = (q: Record<string, string | number | undefined>) =>
  Object.entries(q)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');

/** As `as` (the guest by default), or anonymously with null. */
const search = (q: Record<string, string | number | undefined>, as: User | null = guest) =>
  (as ? as.api : api)('GET', `/search/rooms?${query({ city, ...q })}`);

const idsOf = async (q: Record<string, string | number | undefined>, as: User | null = guest) => {
  const res = await search(q, as);
  expect(res.status).toBe(200);
  return (res.body.items as Array<{ id: string }>).map((r) => r.id);
};

async function register(name: string, pricePerNight: number, capacity: number) {
  const res = await host.api('POST', '/rooms', { name, city, pricePerNight, capacity, description: `${name} by the sea` });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, pricePerNight };
}

async function reserve(roomId: string, dates: { checkIn: string; checkOut: string }) {
  const res = await guest.api('POST', '/reservations', { roomId, ...dates });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

beforeAll(async () => {
  [host, guest] = await newUsers(2, 'search');
  rooms.a = await register('Alpha', 50_000, 2);
  rooms.b = await register('Bravo', 70_000, 2);
  rooms.c = await register('Charlie', 90_000, 4);
  rooms.d = await register('Delta', 120_000, 2);
  // Every room is in the view before the tests look.
  await eventually(async () => expect((await idsOf(stay(40, 1))).length).toBe(4), 30_000);
}, 60_000);

describe('search of free rooms through the gateway', () => {
  it('when nothing is booked, then every room of the city comes, cheapest first, each with the nights and the total price', async () => {
    const dates = stay(40, 3);
    const res = await search(dates);
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((r: { id: string }) => r.id)).toEqual([rooms.a.id, rooms.b.id, rooms.c.id, rooms.d.id]);
    expect(res.body.items[0]).toMatchObject({
      id: rooms.a.id,
      hostId: host.userId,
      name: 'Alpha',
      city,
      pricePerNight: 50_000,
      currency: 'KRW',
      capacity: 2,
      averageRating: null,
      reviewCount: 0,
      nights: 3,
      totalPrice: 150_000,
    });
  });

  it('when a room is booked on some nights, then it is left out for overlapping stays, found for others, and found again after the cancel', async () => {
    const b = block();
    const booked = stay(b + 2, 3);
    const reservation = await reserve(rooms.a.id, booked);
    const overlapping = stay(b + 3, 3);
    await eventually(async () => expect(await idsOf(overlapping)).toEqual([rooms.b.id, rooms.c.id, rooms.d.id]));
    expect(await idsOf(stay(b + 4, 1))).toEqual([rooms.b.id, rooms.c.id, rooms.d.id]);
    expect(await idsOf(stay(b, 10))).toEqual([rooms.b.id, rooms.c.id, rooms.d.id]);
    // Back to back, before and after: free.
    expect(await idsOf(stay(b + 5, 2))).toEqual([rooms.a.id, rooms.b.id, rooms.c.id, rooms.d.id]);
    expect(await idsOf(stay(b, 2))).toEqual([rooms.a.id, rooms.b.id, rooms.c.id, rooms.d.id]);
    // What the search shows agrees with the room's own calendar.
    expect((await api('GET', `/rooms/${rooms.a.id}/availability?${query(overlapping)}`)).body.available).toBe(false);

    expect((await guest.api('POST', `/reservations/${reservation.id}/cancel`)).body.status).toBe('cancelled');
    await eventually(async () => expect(await idsOf(overlapping)).toEqual([rooms.a.id, rooms.b.id, rooms.c.id, rooms.d.id]));
  });

  it('when guests and a price range are asked, then only rooms that hold them within the range (both ends included) come', async () => {
    const dates = stay(45, 2);
    expect(await idsOf({ ...dates, guests: 3 })).toEqual([rooms.c.id]);
    expect(await idsOf({ ...dates, guests: 2 })).toEqual([rooms.a.id, rooms.b.id, rooms.c.id, rooms.d.id]);
    expect(await idsOf({ ...dates, minPrice: 70_000, maxPrice: 90_000 })).toEqual([rooms.b.id, rooms.c.id]);
    expect(await idsOf({ ...dates, maxPrice: 49_999 })).toEqual([]);
    expect(await idsOf({ ...dates, guests: 5 })).toEqual([]);
  });

  it('when sorted by rating, then the best rated come first and rooms without reviews last', async () => {
    // Reviews need a confirmed stay of the reviewer: the guest stays in b and d (other dates), then reviews.
    // (Days of their own on each attempt: a retried test must not find its first attempt's stays.)
    const inB = await reserve(rooms.b.id, stay(nextDay++, 1));
    const inD = await reserve(rooms.d.id, stay(nextDay++, 1));
    // The room hears of the confirmation by its event: a review is allowed once it has.
    const review = (roomId: string, reservationId: string, rating: number) =>
      eventually(async () => expect((await guest.api('POST', `/rooms/${roomId}/reviews`, { reservationId, rating })).status).toBe(201));
    await review(rooms.b.id, inB.id, 3);
    await review(rooms.d.id, inD.id, 5);
    const dates = stay(50, 2);
    await eventually(async () => {
      const res = await search({ ...dates, sort: 'rating' });
      expect(res.body.items.map((r: { id: string; averageRating: number | null }) => [r.id, r.averageRating])).toEqual([
        [rooms.d.id, 5],
        [rooms.b.id, 3],
        // Unrated: by id, descending.
        ...[rooms.a.id, rooms.c.id]
          .sort()
          .reverse()
          .map((id) => [id, null]),
      ]);
    });
  });

  it('when the answer has more rooms than the limit, then the cursors lead through every room once, in order', async () => {
    const dates = stay(55, 2);
    for (const sort of ['price', 'rating'] as const) {
      const all = await idsOf({ ...dates, sort });
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 5; page++) {
        const res = await search({ ...dates, sort, limit: 3, cursor });
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((r: { id: string }) => r.id));
        cursor = res.body.nextCursor ?? undefined;
        if (!cursor) break;
      }
      expect(seen).toEqual(all);
      expect([...seen].sort()).toEqual(
        Object.values(rooms)
          .map((r) => r.id)
          .sort(),
      );
    }
  });

  it('when the search is not valid, then 400 VALIDATION_FAILED names each field, as GET /rooms/{id}/availability does for the stay', async () => {
    const fields = async (q: Record<string, string | number | undefined>) => {
      const res = await api('GET', `/search/rooms?${query(q)}`);
      expect([res.status, res.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
      return [...new Set((res.body.error.details as Array<{ field: string }>).map((d) => d.field))].sort();
    };
    const ok = stay(20, 2);
    const past = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(await fields({ city, checkIn: past, checkOut: ok.checkOut })).toEqual(['checkIn']);
    expect(await fields({ city, checkIn: ok.checkOut, checkOut: ok.checkIn })).toEqual(['checkOut']);
    expect(await fields({ city, ...ok, minPrice: 10, maxPrice: 5 })).toEqual(['maxPrice']);
    expect(await fields({ ...ok })).toEqual(['city']);
    expect(await fields({ city, checkIn: 'tomorrow', checkOut: ok.checkOut })).toEqual(['checkIn']);
    expect(await fields({ city, ...ok, guests: 0, sort: 'cheap', limit: 500 })).toEqual(['guests', 'limit', 'sort']);
    expect(await fields({ city, ...ok, cursor: 'forged' })).toEqual(['cursor']);
    expect(await fields({ city, ...ok, hostId: host.userId })).toEqual(['hostId']);
    // The same stay rules as the room's own availability route.
    const availability = await api('GET', `/rooms/${rooms.a.id}/availability?${query({ checkIn: past, checkOut: ok.checkOut })}`);
    expect(availability.body.error.details).toEqual(
      (await api('GET', `/search/rooms?${query({ city, checkIn: past, checkOut: ok.checkOut })}`)).body.error.details,
    );
  });
});

describe("search from an attacker's side", () => {
  it('when called without a token, then it answers (public); with an invalid token, then 401 as on every route', async () => {
    expect(await idsOf(stay(40, 1), null)).toHaveLength(4);
    const forged = await api('GET', `/search/rooms?${query({ city, ...stay(40, 1) })}`, undefined, { authorization: 'Bearer not.a.token' });
    expect([forged.status, forged.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it("when the answer is read, then items carry only what GET /rooms shows and the search's own fields: no guest, reservation or night of anyone", async () => {
    const b = block();
    const reservation = await reserve(rooms.c.id, stay(b, 2));
    await eventually(async () => expect(await idsOf(stay(b, 1), null)).not.toContain(rooms.c.id));
    const res = await search(stay(b + 2, 1), null);
    const text = JSON.stringify(res.body);
    for (const item of res.body.items as Array<Record<string, unknown>>) expect(Object.keys(item).sort()).toEqual(ITEM_KEYS);
    expect(text).not.toContain(guest.userId);
    expect(text).not.toContain(reservation.id);
    expect(Object.keys(res.body).sort()).toEqual(['items', 'nextCursor']);
    // What GET /rooms shows of a room is exactly the Room part of its hit.
    const listed = (await api('GET', `/rooms?city=${encodeURIComponent(city)}`)).body.items.find(
      (r: { id: string }) => r.id === rooms.a.id,
    );
    const hit = res.body.items.find((r: { id: string }) => r.id === rooms.a.id);
    expect(Object.fromEntries(Object.keys(listed as object).map((k) => [k, hit[k]]))).toEqual(listed);
  });

  it('when the city or another field carries SQL or odd text, then it is only a value: nothing found, nothing broken', async () => {
    for (const odd of [`${city}' OR '1'='1`, `${city}%`, '%', `${city}\\`, "'; DROP TABLE view_room_night; --"]) {
      const res = await api('GET', `/search/rooms?${query({ city: odd, ...stay(40, 1) })}`);
      expect([odd, res.status, res.body.items]).toEqual([odd, 200, []]);
    }
    expect(await idsOf(stay(40, 1))).toHaveLength(4);
    const injected = await api('GET', `/search/rooms?${query({ city, ...stay(40, 1), minPrice: '0 OR 1=1' })}`);
    expect(injected.status).toBe(400);
  });
});
