import {
  applyReservation,
  applyReviewCreated,
  applyRoomDeleted,
  applyRoomSnapshot,
  type ReservationRow,
} from '../../src/domain/projection';
import type { RoomSnapshotData } from '../../src/domain/events';
import { MAX_PRICE, type SearchCriteria } from '../../src/domain/search';
import type { RoomSearchStore, ViewStore } from '../../src/ports';

/**
 * What every RoomSearchStore must answer, written through the ViewStore's own updates (so the
 * booked nights are whatever the store keeps from its reservation rows): run against the unit
 * tests' MemoryRoomSearch (services/viewpage/test/roomSearch.contract.test.ts) and against
 * TypeormRoomSearch on the real view database (test/e2e/view-store-contract.test.ts). Every case
 * uses a city of its own (`uniqueId`), so rows already in a live view do not interfere.
 */
export function roomSearchContract(subject: () => { view: ViewStore; search: RoomSearchStore }, uniqueId: (name: string) => string): void {
  const NOW = '2031-01-01T00:00:00.000Z';

  const snapshot = (roomId: string, city: string, over: Partial<RoomSnapshotData> = {}): RoomSnapshotData => ({
    roomId,
    hostId: 'host',
    name: `Room ${roomId}`,
    city,
    pricePerNight: 100,
    currency: 'KRW',
    description: '',
    capacity: 2,
    version: 1,
    ...over,
  });

  const addRoom = (view: ViewStore, data: RoomSnapshotData) => view.updateRoom(data.roomId, (row) => applyRoomSnapshot(row, data, NOW));
  const reservation = (reservationId: string, roomId: string, checkIn: string, checkOut: string) => ({
    reservationId,
    guestId: 'guest',
    roomId,
    checkIn,
    checkOut,
    version: 1,
  });
  const confirm = (view: ViewStore, data: ReturnType<typeof reservation>) =>
    view.updateReservation(data.reservationId, (row) => applyReservation(row, 'confirmed', data, NOW));
  const cancel = (view: ViewStore, data: ReturnType<typeof reservation>) =>
    view.updateReservation(data.reservationId, (row) => applyReservation(row, 'cancelled', { ...data, version: 2 }, NOW));

  const criteria = (city: string, checkIn: string, checkOut: string, over: Partial<SearchCriteria> = {}): SearchCriteria => ({
    city,
    stay: { checkIn, checkOut },
    guests: 1,
    minPrice: 0,
    maxPrice: MAX_PRICE,
    sort: 'price',
    limit: 50,
    ...over,
  });
  const ids = async (search: RoomSearchStore, c: SearchCriteria) => (await search.freeRooms(c)).map((r) => r.roomId);

  it('when a room has a confirmed stay, then it is not found for an overlapping stay but is for a stay before, after or back to back', async () => {
    const { view, search } = subject();
    const city = uniqueId('city');
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    await addRoom(view, snapshot(a, city, { pricePerNight: 100 }));
    await addRoom(view, snapshot(b, city, { pricePerNight: 200 }));
    await confirm(view, reservation(uniqueId('r'), a, '2031-02-10', '2031-02-13'));
    expect(await ids(search, criteria(city, '2031-02-12', '2031-02-14'))).toEqual([b]);
    expect(await ids(search, criteria(city, '2031-02-08', '2031-02-11'))).toEqual([b]);
    expect(await ids(search, criteria(city, '2031-02-09', '2031-02-20'))).toEqual([b]);
    expect(await ids(search, criteria(city, '2031-02-13', '2031-02-15'))).toEqual([a, b]);
    expect(await ids(search, criteria(city, '2031-02-08', '2031-02-10'))).toEqual([a, b]);
  });

  it('when the stay is cancelled, then its nights are free again; a late confirmation does not take them back', async () => {
    const { view, search } = subject();
    const city = uniqueId('city');
    const room = uniqueId('room');
    await addRoom(view, snapshot(room, city));
    const stay = reservation(uniqueId('r'), room, '2031-03-01', '2031-03-04');
    await confirm(view, stay);
    expect(await ids(search, criteria(city, '2031-03-02', '2031-03-03'))).toEqual([]);
    await cancel(view, stay);
    expect(await ids(search, criteria(city, '2031-03-02', '2031-03-03'))).toEqual([room]);
    await confirm(view, stay);
    expect(await ids(search, criteria(city, '2031-03-02', '2031-03-03'))).toEqual([room]);
  });

  it('when the cancellation arrives before the confirmation, then the nights were never booked', async () => {
    const { view, search } = subject();
    const city = uniqueId('city');
    const room = uniqueId('room');
    await addRoom(view, snapshot(room, city));
    const stay = reservation(uniqueId('r'), room, '2031-03-01', '2031-03-04');
    await cancel(view, stay);
    await confirm(view, stay);
    expect(await ids(search, criteria(city, '2031-03-01', '2031-03-04'))).toEqual([room]);
  });

  it('when other events of a booked reservation arrive (payment, car), then its nights stay booked', async () => {
    const { view, search } = subject();
    const city = uniqueId('city');
    const room = uniqueId('room');
    await addRoom(view, snapshot(room, city));
    const stay = reservation(uniqueId('r'), room, '2031-04-01', '2031-04-02');
    await confirm(view, stay);
    await view.updateReservation(stay.reservationId, (row) =>
      row ? ({ ...row, paymentStatus: 'approved', paymentVersion: 1 } satisfies ReservationRow) : undefined,
    );
    expect(await ids(search, criteria(city, '2031-04-01', '2031-04-02'))).toEqual([]);
  });

  it('when guests and a price range are asked, then only rooms holding that many within the range (both ends included) are found', async () => {
    const { view, search } = subject();
    const city = uniqueId('city');
    const [small, big, dear] = [uniqueId('small'), uniqueId('big'), uniqueId('dear')];
    await addRoom(view, snapshot(small, city, { capacity: 1, pricePerNight: 50 }));
    await addRoom(view, snapshot(big, city, { capacity: 4, pricePerNight: 80 }));
    await addRoom(view, snapshot(dear, city, { capacity: null, pricePerNight: 120 }));
    expect(await ids(search, criteria(city, '2031-05-01', '2031-05-02', { guests: 3 }))).toEqual([big]);
    expect(await ids(search, criteria(city, '2031-05-01', '2031-05-02', { guests: 2 }))).toEqual([big]);
    // A room without a stated capacity holds one guest (room's default).
    expect(await ids(search, criteria(city, '2031-05-01', '2031-05-02', { guests: 1 }))).toEqual([small, big, dear]);
    expect(await ids(search, criteria(city, '2031-05-01', '2031-05-02', { minPrice: 50, maxPrice: 80 }))).toEqual([small, big]);
    expect(await ids(search, criteria(city, '2031-05-01', '2031-05-02', { minPrice: 51, maxPrice: 120 }))).toEqual([big, dear]);
    expect(await ids(search, criteria(`${city}-elsewhere`, '2031-05-01', '2031-05-02'))).toEqual([]);
  });

  it('when sorted by price or by rating, then pages follow each other with no room twice and none left out', async () => {
    const { view, search } = subject();
    const city = uniqueId('city');
    const rooms = Array.from({ length: 7 }, (_, i) => `${uniqueId('room')}-${i}`);
    const prices = [300, 100, 200, 100, 300, 50, 100];
    const ratings = [4.5, null, 3, 4.5, 5, null, 2];
    for (const [i, id] of rooms.entries()) {
      await addRoom(view, snapshot(id, city, { pricePerNight: prices[i] }));
      const rating = ratings[i];
      if (rating !== null)
        await view.updateRoom(id, (row) => applyReviewCreated(row, { roomId: id, reviewCount: 1, averageRating: rating, version: 1 }, NOW));
    }
    for (const sort of ['price', 'rating'] as const) {
      const all = await search.freeRooms(criteria(city, '2031-06-01', '2031-06-03', { sort }));
      const seen: string[] = [];
      let after: SearchCriteria['after'];
      for (let page = 0; page < 10; page++) {
        const got = await search.freeRooms(criteria(city, '2031-06-01', '2031-06-03', { sort, limit: 3, after }));
        seen.push(...got.map((r) => r.roomId));
        const last = got.at(-1);
        if (got.length < 3 || !last) break;
        after = { sort, key: sort === 'price' ? last.room.pricePerNight : (last.averageRating ?? 0), roomId: last.roomId };
      }
      expect(seen).toEqual(all.map((r) => r.roomId));
      expect(seen.sort()).toEqual([...rooms].sort());
      if (sort === 'price') expect(all.map((r) => r.room.pricePerNight)).toEqual([50, 100, 100, 100, 200, 300, 300]);
      else expect(all.map((r) => r.averageRating)).toEqual([5, 4.5, 4.5, 3, 2, null, null]);
    }
  });

  it('when a reservation arrives before its room, then its nights count as soon as the room is listed', async () => {
    const { view, search } = subject();
    const city = uniqueId('city');
    const room = uniqueId('room');
    await confirm(view, reservation(uniqueId('r'), room, '2031-08-01', '2031-08-03'));
    await addRoom(view, snapshot(room, city));
    expect(await ids(search, criteria(city, '2031-08-02', '2031-08-04'))).toEqual([]);
    expect(await ids(search, criteria(city, '2031-08-03', '2031-08-04'))).toEqual([room]);
  });

  it('when a booked room moves to another city, then its booked nights move with it', async () => {
    const { view, search } = subject();
    const [from, to] = [uniqueId('from'), uniqueId('to')];
    const room = uniqueId('room');
    await addRoom(view, snapshot(room, from));
    await confirm(view, reservation(uniqueId('r'), room, '2031-09-01', '2031-09-03'));
    await addRoom(view, snapshot(room, to, { version: 2 }));
    expect(await ids(search, criteria(from, '2031-09-01', '2031-09-02'))).toEqual([]);
    expect(await ids(search, criteria(to, '2031-09-01', '2031-09-02'))).toEqual([]);
    expect(await ids(search, criteria(to, '2031-09-03', '2031-09-04'))).toEqual([room]);
  });

  it('when a room is deleted or its price changes, then the search follows', async () => {
    const { view, search } = subject();
    const city = uniqueId('city');
    const [gone, moved] = [uniqueId('gone'), uniqueId('moved')];
    await addRoom(view, snapshot(gone, city, { pricePerNight: 10 }));
    await addRoom(view, snapshot(moved, city, { pricePerNight: 20 }));
    await view.updateRoom(gone, (row) => applyRoomDeleted(row, { roomId: gone, version: 2 }, NOW));
    await addRoom(view, snapshot(moved, city, { pricePerNight: 500, version: 2 }));
    const found = await search.freeRooms(criteria(city, '2031-07-01', '2031-07-02', { maxPrice: 100 }));
    expect(found).toEqual([]);
    const all = await search.freeRooms(criteria(city, '2031-07-01', '2031-07-02'));
    expect(all.map((r) => [r.roomId, r.room.pricePerNight])).toEqual([[moved, 500]]);
  });
}
