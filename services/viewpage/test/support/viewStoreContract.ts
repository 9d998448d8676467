import {
  applyPayment,
  applyReservation,
  applyRoomDeleted,
  applyRoomSnapshot,
  emptyCar,
  emptyReservation,
  emptyRoom,
  type Car,
  type CarRow,
  type ReservationRow,
  type Room,
  type RoomRow,
} from '../../src/domain/projection';
import type { ViewStore } from '../../src/ports';

/**
 * The behaviour every ViewStore must have, as Jest cases: run against `MemoryViewStore` (the unit
 * tests' fake, services/viewpage/test/viewStore.contract.test.ts) and against `TypeormViewStore` on
 * the real MariaDB (test/e2e/view-store-contract.test.ts), so the fake is proven to be the real
 * store's double. Nothing is reset: `uniqueId(name)` must give ids unique to this run, and every
 * list is read scoped to a city or host made by it, so other rows in a live view do not interfere.
 */
export function viewStoreContract(subject: () => ViewStore, uniqueId: (name: string) => string): void {
  const T0 = '2026-01-01T00:00:00.000Z';
  const at = (minute: number) => new Date(Date.parse(T0) + minute * 60_000).toISOString();

  /** Byte order of the UTF-8 text: what the view's utf8mb4_bin columns sort and compare by. */
  const binary = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

  const room = (roomId: string, over: Partial<Room> = {}): Room => ({
    id: roomId,
    hostId: 'h',
    name: 'Room',
    city: 'c',
    pricePerNight: 100000,
    currency: 'KRW',
    description: '',
    capacity: 2,
    cancellationPolicy: 'flexible',
    timeZone: 'Asia/Seoul',
    createdAt: null,
    updatedAt: null,
    ...over,
  });
  const roomRow = (roomId: string, updatedAt: string, over: Partial<Room> = {}, row: Partial<RoomRow> = {}): RoomRow => ({
    ...emptyRoom(roomId, updatedAt),
    room: room(roomId, over),
    version: 1,
    ...row,
  });
  const car = (carId: string, over: Partial<Car> = {}): Car => ({
    id: carId,
    hostId: 'h',
    model: 'Avante',
    city: 'c',
    pricePerDay: 50000,
    currency: 'KRW',
    seats: 5,
    createdAt: null,
    updatedAt: null,
    ...over,
  });
  const carRow = (carId: string, over: Partial<Car> = {}, row: Partial<CarRow> = {}): CarRow => ({
    ...emptyCar(carId, T0),
    car: car(carId, over),
    version: 1,
    ...row,
  });
  const reservation = (reservationId: string, roomId: string, row: Partial<ReservationRow> = {}): ReservationRow => ({
    ...emptyReservation(reservationId, T0),
    roomId,
    guestId: 'g',
    checkIn: '2026-02-01',
    checkOut: '2026-02-03',
    status: 'confirmed',
    reservationVersion: 1,
    createdAt: T0,
    ...row,
  });

  const putRoom = (store: ViewStore, row: RoomRow) => store.updateRoom(row.roomId, () => row);
  const putCar = (store: ViewStore, row: CarRow) => store.updateCar(row.carId, () => row);
  const putReservation = (store: ViewStore, row: ReservationRow) => store.updateReservation(row.reservationId, () => row);

  describe('a row that does not exist', () => {
    it('when a room, its reservations or stats are read that were never written, then there is nothing (no error)', async () => {
      const store = subject();
      const id = uniqueId('missing-room');
      expect(await store.room(id)).toBeUndefined();
      expect(await store.reservationsOf(id)).toEqual([]);
      expect(await store.reservationStats([id])).toEqual(new Map([[id, { active: 0, latest: undefined }]]));
      expect(await store.reservationStats([])).toEqual(new Map());
    });

    it('when an update finds no row and its reducer answers undefined, then it answers false and writes nothing', async () => {
      const store = subject();
      const id = uniqueId('no-op-room');
      const seen: Array<RoomRow | undefined> = [];
      expect(
        await store.updateRoom(id, (row) => {
          seen.push(row);
          return undefined;
        }),
      ).toBe(false);
      expect(seen.every((row) => row === undefined)).toBe(true);
      expect(await store.room(id)).toBeUndefined();
      expect(await store.updateCar(uniqueId('no-op-car'), () => undefined)).toBe(false);
      expect(await store.updateReservation(uniqueId('no-op-res'), () => undefined)).toBe(false);
    });
  });

  describe('updates (read the row, reduce, write what the reducer answers)', () => {
    it('when a room is written, then it reads back equal (snapshot JSON with unicode and nulls, numbers, flags)', async () => {
      const store = subject();
      const id = uniqueId('roundtrip-room');
      const row = roomRow(
        id,
        at(1),
        { name: 'Jeju 제주 ✓ "quoted"', description: 'a\nb', capacity: null, createdAt: T0 },
        {
          reviewCount: 3,
          averageRating: 4.333333333333333,
          reviewVersion: 3,
          version: 7,
        },
      );
      expect(await putRoom(store, row)).toBe(true);
      expect(await store.room(id)).toEqual(row);
    });

    it('when a row exists, then the reducer is given it as stored and what it answers replaces it', async () => {
      const store = subject();
      const id = uniqueId('replace-room');
      const first = roomRow(id, at(1));
      await putRoom(store, first);
      let given: RoomRow | undefined;
      const second = { ...first, room: { ...first.room!, name: 'Renamed' }, version: 2, updatedAt: at(2) };
      expect(
        await store.updateRoom(id, (row) => {
          given = row;
          return second;
        }),
      ).toBe(true);
      expect(given).toEqual(first);
      expect(await store.room(id)).toEqual(second);
    });

    it('when the reducer changes the row it was given but answers undefined, then the stored row is unchanged', async () => {
      const store = subject();
      const id = uniqueId('untouched-room');
      const row = roomRow(id, at(1));
      await putRoom(store, structuredClone(row));
      expect(
        await store.updateRoom(id, (current) => {
          current!.reviewCount = 99;
          current!.room!.name = 'mutated';
          return undefined;
        }),
      ).toBe(false);
      expect(await store.room(id)).toEqual(row);
    });

    it('when a row that was written or read is changed by the caller afterwards, then the stored row is unchanged', async () => {
      const store = subject();
      const id = uniqueId('copy-room');
      const row = roomRow(id, at(1), { city: uniqueId('copy-city') });
      const stored = structuredClone(row);
      await putRoom(store, row);
      row.room!.name = 'changed after the write';
      const read = (await store.room(id))!;
      read.reviewCount = 42;
      read.room!.name = 'mutated';
      const [listed] = await store.roomsById({ city: row.room!.city, limit: 5 });
      listed.room!.name = 'mutated too';
      expect(await store.room(id)).toEqual(stored);
    });

    it('when the same snapshot is applied twice or an older one arrives late, then only the newest is kept (false for the rest)', async () => {
      const store = subject();
      const roomId = uniqueId('versions-room');
      const snapshot = (version: number, name: string) => ({
        roomId,
        hostId: 'h',
        name,
        city: 'c',
        pricePerNight: 1000,
        version,
        occurredAt: at(version),
      });
      expect(await store.updateRoom(roomId, (row) => applyRoomSnapshot(row, snapshot(2, 'v2'), T0))).toBe(true);
      expect(await store.updateRoom(roomId, (row) => applyRoomSnapshot(row, snapshot(2, 'v2'), T0))).toBe(false);
      expect(await store.updateRoom(roomId, (row) => applyRoomSnapshot(row, snapshot(1, 'v1'), T0))).toBe(false);
      expect(await store.room(roomId)).toMatchObject({ version: 2, room: { name: 'v2' }, updatedAt: at(2) });
      expect(await store.updateRoom(roomId, (row) => applyRoomDeleted(row, { roomId, version: 3, occurredAt: at(3) }, T0))).toBe(true);
      expect(await store.updateRoom(roomId, (row) => applyRoomSnapshot(row, snapshot(4, 'v4'), T0))).toBe(false);
      expect(await store.room(roomId)).toMatchObject({ version: 3, deleted: true, room: { name: 'v2' } });
    });

    it('when a car and a reservation are written, then they read back equal through the lists', async () => {
      const store = subject();
      const city = uniqueId('roundtrip-city');
      const c = carRow(uniqueId('roundtrip-car'), { city, model: '쏘나타 ✓', seats: null });
      expect(await putCar(store, c)).toBe(true);
      expect(await store.carsById({ city, limit: 5 })).toEqual([c]);
      const roomId = uniqueId('roundtrip-res-room');
      const r = reservation(uniqueId('roundtrip-res'), roomId, {
        carId: c.carId,
        paymentStatus: 'approved',
        paymentVersion: 1,
        carStatus: 'reserved',
      });
      expect(await putReservation(store, r)).toBe(true);
      expect(await store.reservationsOf(roomId)).toEqual([r]);
    });
  });

  describe('a reservation moves its room up', () => {
    it("when a reservation of a room is written later than the room's updatedAt, then the room's updatedAt moves to it", async () => {
      const store = subject();
      const roomId = uniqueId('bumped-room');
      await putRoom(store, roomRow(roomId, at(10)));
      await putReservation(store, reservation(uniqueId('bump-res'), roomId, { updatedAt: at(20) }));
      expect((await store.room(roomId))?.updatedAt).toBe(at(20));
    });

    it("when the reservation's updatedAt is earlier, then the room's updatedAt stays (it never moves back)", async () => {
      const store = subject();
      const roomId = uniqueId('kept-room');
      await putRoom(store, roomRow(roomId, at(30)));
      await putReservation(store, reservation(uniqueId('old-res'), roomId, { updatedAt: at(20) }));
      expect(await store.room(roomId)).toEqual(roomRow(roomId, at(30)));
    });

    it('when the room has no row, then a reservation naming it does not make one', async () => {
      const store = subject();
      const roomId = uniqueId('absent-room');
      await putReservation(store, reservation(uniqueId('orphan-res'), roomId, { updatedAt: at(5) }));
      expect(await store.room(roomId)).toBeUndefined();
      expect((await store.reservationsOf(roomId)).length).toBe(1);
    });

    it('when the reducer answers undefined, then the room is not touched', async () => {
      const store = subject();
      const roomId = uniqueId('untouched-by-res');
      await putRoom(store, roomRow(roomId, at(1)));
      const resId = uniqueId('same-res');
      const data = {
        reservationId: resId,
        roomId,
        guestId: 'g',
        checkIn: '2026-02-01',
        checkOut: '2026-02-02',
        version: 1,
        occurredAt: at(2),
      };
      expect(await store.updateReservation(resId, (row) => applyReservation(row, 'confirmed', data, T0))).toBe(true);
      expect((await store.room(roomId))?.updatedAt).toBe(at(2));
      expect(await store.updateReservation(resId, (row) => applyReservation(row, 'confirmed', { ...data, occurredAt: at(9) }, T0))).toBe(
        false,
      );
      expect((await store.room(roomId))?.updatedAt).toBe(at(2));
    });
  });

  describe('roomsByUpdated', () => {
    it('when rooms are listed, then newest updatedAt first, ties by roomId descending, only listed rooms of the city', async () => {
      const store = subject();
      const city = uniqueId('by-updated-city');
      const p = uniqueId('bu');
      const a = roomRow(`${p}-a`, at(1), { city });
      const b = roomRow(`${p}-b`, at(3), { city });
      const c = roomRow(`${p}-c`, at(3), { city });
      const d = roomRow(`${p}-d`, at(2), { city });
      const deleted = roomRow(`${p}-e`, at(9), { city }, { deleted: true });
      const noSnapshot = { ...emptyRoom(`${p}-f`, at(9)) };
      const elsewhere = roomRow(`${p}-g`, at(9), { city: `${city}-other` });
      for (const row of [a, b, c, d, deleted, noSnapshot, elsewhere]) await putRoom(store, row);
      expect(await store.roomsByUpdated({ city, limit: 10 })).toEqual([c, b, d, a]);
      expect((await store.room(deleted.roomId))?.deleted).toBe(true);
      expect(await store.room(noSnapshot.roomId)).toEqual(noSnapshot);
    });

    it('when paged after a position, then the rows strictly after it (a tie on updatedAt by id), limit at most', async () => {
      const store = subject();
      const city = uniqueId('by-updated-page-city');
      const p = uniqueId('bp');
      const rows = [roomRow(`${p}-a`, at(1), { city }), roomRow(`${p}-b`, at(2), { city }), roomRow(`${p}-c`, at(2), { city })];
      for (const row of rows) await putRoom(store, row);
      const [a, b, c] = rows;
      expect(await store.roomsByUpdated({ city, limit: 2 })).toEqual([c, b]);
      expect(await store.roomsByUpdated({ city, limit: 2, after: { updatedAt: c.updatedAt, id: c.roomId } })).toEqual([b, a]);
      expect(await store.roomsByUpdated({ city, limit: 2, after: { updatedAt: b.updatedAt, id: b.roomId } })).toEqual([a]);
      expect(await store.roomsByUpdated({ city, limit: 2, after: { updatedAt: a.updatedAt, id: a.roomId } })).toEqual([]);
      // A position that is no row: what sorts after it.
      expect(await store.roomsByUpdated({ city, limit: 5, after: { updatedAt: at(2), id: `${p}-bb` } })).toEqual([b, a]);
      expect(await store.roomsByUpdated({ city, limit: 5, after: { updatedAt: at(3), id: '' } })).toEqual([c, b, a]);
    });

    it("when a host's rooms are asked for, then only that host's (with or without a city)", async () => {
      const store = subject();
      const host = uniqueId('host');
      const city = uniqueId('host-city');
      const p = uniqueId('bh');
      const mine = roomRow(`${p}-a`, at(1), { hostId: host, city });
      const mineElsewhere = roomRow(`${p}-b`, at(2), { hostId: host, city: `${city}-2` });
      const theirs = roomRow(`${p}-c`, at(3), { hostId: `${host}-other`, city });
      for (const row of [mine, mineElsewhere, theirs]) await putRoom(store, row);
      expect(await store.roomsByUpdated({ hostId: host, limit: 10 })).toEqual([mineElsewhere, mine]);
      expect(await store.roomsByUpdated({ hostId: host, city, limit: 10 })).toEqual([mine]);
      expect(await store.roomsById({ hostId: host, limit: 10 })).toEqual([mine, mineElsewhere]);
      expect(await store.roomsById({ hostId: host, city, limit: 10 })).toEqual([mine]);
    });

    it("when a room's snapshot moves it to another city or host, then it is listed there and no longer here", async () => {
      const store = subject();
      const city = uniqueId('moving-city');
      const id = uniqueId('moving-room');
      await putRoom(store, roomRow(id, at(1), { city }));
      const moved = roomRow(id, at(2), { city: `${city}-new` }, { version: 2 });
      await putRoom(store, moved);
      expect(await store.roomsByUpdated({ city, limit: 5 })).toEqual([]);
      expect(await store.roomsByUpdated({ city: `${city}-new`, limit: 5 })).toEqual([moved]);
      await putRoom(store, { ...moved, deleted: true });
      expect(await store.roomsByUpdated({ city: `${city}-new`, limit: 5 })).toEqual([]);
      expect(await store.roomsById({ city: `${city}-new`, limit: 5 })).toEqual([]);
    });
  });

  describe('lists by id', () => {
    // Mixed case, digits and punctuation: byte order ('0' < 'B' < 'Z' < '_' < 'a' < 'z') is not a locale's order.
    const SUFFIXES = ['a', 'B', '_x', '0', 'Z', 'z', '-y', 'aa', 'Ab'];

    it('when rooms are listed by id, then in byte order of the id, and paging after an id never skips or repeats one', async () => {
      const store = subject();
      const city = uniqueId('by-id-city');
      const p = uniqueId('bi');
      const rows = SUFFIXES.map((s, i) => roomRow(`${p}-${s}`, at(i), { city }));
      for (const row of rows) await putRoom(store, row);
      const expected = [...rows].sort((x, y) => binary(x.roomId, y.roomId));
      expect(await store.roomsById({ city, limit: 20 })).toEqual(expected);
      const paged: RoomRow[] = [];
      let after: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await store.roomsById({ city, limit: 2, after });
        expect(page.length).toBeLessThanOrEqual(2);
        if (page.length === 0) break;
        paged.push(...page);
        after = page.at(-1)!.roomId;
      }
      expect(paged.map((r) => r.roomId)).toEqual(expected.map((r) => r.roomId));
    });

    it('when rooms updated at once are listed by updatedAt, then ties are in descending byte order of the id', async () => {
      const store = subject();
      const city = uniqueId('tie-city');
      const p = uniqueId('bt');
      const rows = SUFFIXES.map((s) => roomRow(`${p}-${s}`, at(1), { city }));
      for (const row of rows) await putRoom(store, row);
      const expected = [...rows].sort((x, y) => binary(y.roomId, x.roomId));
      expect((await store.roomsByUpdated({ city, limit: 20 })).map((r) => r.roomId)).toEqual(expected.map((r) => r.roomId));
      const paged: string[] = [];
      let after: { updatedAt: string; id: string } | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await store.roomsByUpdated({ city, limit: 3, after });
        if (page.length === 0) break;
        paged.push(...page.map((r) => r.roomId));
        after = { updatedAt: page.at(-1)!.updatedAt, id: page.at(-1)!.roomId };
      }
      expect(paged).toEqual(expected.map((r) => r.roomId));
    });

    it('when rooms are paged by id, then after is exclusive, need not be an id, and limit caps the page', async () => {
      const store = subject();
      const city = uniqueId('by-id-page-city');
      const p = uniqueId('bj');
      const [a, b, c] = ['a', 'b', 'c'].map((s) => roomRow(`${p}-${s}`, at(1), { city }));
      for (const row of [c, a, b]) await putRoom(store, row);
      expect(await store.roomsById({ city, limit: 1 })).toEqual([a]);
      expect(await store.roomsById({ city, limit: 5, after: a.roomId })).toEqual([b, c]);
      expect(await store.roomsById({ city, limit: 5, after: `${p}-aa` })).toEqual([b, c]);
      expect(await store.roomsById({ city, limit: 5, after: c.roomId })).toEqual([]);
      expect(await store.roomsById({ city, limit: 5, after: '' })).toEqual([a, b, c]);
    });

    it('when cars are listed, then only listed cars of the city, in byte order of the id, paged after an id', async () => {
      const store = subject();
      const city = uniqueId('cars-city');
      const p = uniqueId('bc');
      const rows = SUFFIXES.map((s) => carRow(`${p}-${s}`, { city }));
      for (const row of rows) await putCar(store, row);
      await putCar(store, carRow(`${p}-deleted`, { city }, { deleted: true }));
      await putCar(store, { ...emptyCar(`${p}-bare`, T0) });
      await putCar(store, carRow(`${p}-elsewhere`, { city: `${city}-other` }));
      const expected = [...rows].sort((x, y) => binary(x.carId, y.carId));
      expect(await store.carsById({ city, limit: 20 })).toEqual(expected);
      expect(await store.carsById({ city, limit: 2, after: expected[3].carId })).toEqual(expected.slice(4, 6));
      const paged: string[] = [];
      let after: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await store.carsById({ city, limit: 4, after });
        if (page.length === 0) break;
        paged.push(...page.map((r) => r.carId));
        after = page.at(-1)!.carId;
      }
      expect(paged).toEqual(expected.map((r) => r.carId));
    });
  });

  describe('reservations of a room', () => {
    it('when a room has reservations, then newest createdAt first (ties by id descending), without those that have no status', async () => {
      const store = subject();
      const roomId = uniqueId('res-room');
      const p = uniqueId('rr');
      const older = reservation(`${p}-a`, roomId, { createdAt: at(1) });
      const tieLow = reservation(`${p}-B`, roomId, { createdAt: at(2) });
      const tieHigh = reservation(`${p}-b`, roomId, { createdAt: at(2), status: 'cancelled', reservationVersion: 2 });
      const paidOnly = applyPayment(undefined, 'approved', { reservationId: `${p}-c`, guestId: 'g' }, at(3))!;
      const otherRoom = reservation(`${p}-d`, `${roomId}-other`, { createdAt: at(4) });
      for (const row of [tieLow, older, paidOnly, tieHigh, otherRoom]) await putReservation(store, row);
      expect(await store.reservationsOf(roomId)).toEqual([tieHigh, tieLow, older]);
    });

    it('when stats are read, then per room the confirmed count and the newest reservation of any status', async () => {
      const store = subject();
      const p = uniqueId('rs');
      const busy = `${p}-busy`;
      const quiet = `${p}-quiet`;
      const none = `${p}-none`;
      const c1 = reservation(`${p}-1`, busy, { createdAt: at(1) });
      const c2 = reservation(`${p}-2`, busy, { createdAt: at(2) });
      const cancelled = reservation(`${p}-3`, busy, { createdAt: at(3), status: 'cancelled', reservationVersion: 2 });
      const onlyCancelled = reservation(`${p}-4`, quiet, { createdAt: at(1), status: 'cancelled', reservationVersion: 2 });
      for (const row of [c1, cancelled, c2, onlyCancelled]) await putReservation(store, row);
      await putReservation(store, applyPayment(undefined, 'approved', { reservationId: `${p}-5`, guestId: 'g' }, at(9))!);
      const stats = await store.reservationStats([busy, quiet, none]);
      expect(stats).toEqual(
        new Map([
          [busy, { active: 2, latest: cancelled }],
          [quiet, { active: 0, latest: onlyCancelled }],
          [none, { active: 0, latest: undefined }],
        ]),
      );
    });

    it('when stats are read for a tie on createdAt, then the latest is the one with the greater id in byte order', async () => {
      const store = subject();
      const roomId = uniqueId('tie-res-room');
      const p = uniqueId('rt');
      const rows = ['a', 'B', '_'].map((s) => reservation(`${p}-${s}`, roomId, { createdAt: at(1) }));
      for (const row of rows) await putReservation(store, row);
      const expected = [...rows].sort((x, y) => binary(y.reservationId, x.reservationId));
      expect((await store.reservationStats([roomId])).get(roomId)).toEqual({ active: 3, latest: expected[0] });
      expect((await store.reservationsOf(roomId)).map((r) => r.reservationId)).toEqual(expected.map((r) => r.reservationId));
    });

    it("when a reservation is cancelled, then it leaves the room's active count and stays in its list", async () => {
      const store = subject();
      const roomId = uniqueId('cancel-room');
      const resId = uniqueId('cancel-res');
      const data = { reservationId: resId, roomId, guestId: 'g', checkIn: '2026-03-01', checkOut: '2026-03-02', occurredAt: at(1) };
      await store.updateReservation(resId, (row) => applyReservation(row, 'confirmed', data, T0));
      expect((await store.reservationStats([roomId])).get(roomId)?.active).toBe(1);
      await store.updateReservation(resId, (row) => applyReservation(row, 'cancelled', { ...data, occurredAt: at(2) }, T0));
      expect(await store.updateReservation(resId, (row) => applyReservation(row, 'confirmed', data, T0))).toBe(false);
      expect((await store.reservationStats([roomId])).get(roomId)).toMatchObject({ active: 0, latest: { status: 'cancelled' } });
      expect((await store.reservationsOf(roomId)).map((r) => r.status)).toEqual(['cancelled']);
    });
  });

  describe('concurrent updates of one row', () => {
    const N = 6;
    const bump = (roomId: string) => (row: RoomRow | undefined) => {
      const current = row ?? roomRow(roomId, T0, {}, { reviewCount: 0 });
      return { ...current, reviewCount: current.reviewCount + 1 };
    };

    it('when a row that does not exist yet is updated by several at once, then every update is applied (none lost)', async () => {
      const store = subject();
      const id = uniqueId('race-new-room');
      const answers = await Promise.all(Array.from({ length: N }, () => store.updateRoom(id, bump(id))));
      expect(answers).toEqual(Array(N).fill(true));
      expect((await store.room(id))?.reviewCount).toBe(N);
    });

    it('when an existing row is updated by several at once, then every update is applied (none lost)', async () => {
      const store = subject();
      const id = uniqueId('race-old-room');
      await store.updateRoom(id, bump(id));
      await Promise.all(Array.from({ length: N }, () => store.updateRoom(id, bump(id))));
      expect((await store.room(id))?.reviewCount).toBe(N + 1);
    });

    it("when reservations of one room are written at once, then the room's updatedAt is the latest of them", async () => {
      const store = subject();
      const roomId = uniqueId('race-bump-room');
      await putRoom(store, roomRow(roomId, at(0)));
      await Promise.all(
        Array.from({ length: N }, (_, i) => putReservation(store, reservation(uniqueId('race-res'), roomId, { updatedAt: at(i + 1) }))),
      );
      expect((await store.room(roomId))?.updatedAt).toBe(at(N));
      expect((await store.reservationStats([roomId])).get(roomId)?.active).toBe(N);
    });
  });

  describe('a batch in one transaction (inOneTransaction)', () => {
    it('when every update of a batch succeeds, then all of them are kept, and a later update of the batch sees an earlier one', async () => {
      const store = subject();
      const roomId = uniqueId('batch-room');
      const reservationId = uniqueId('batch-res');
      const seen = await store.inOneTransaction(async (writer) => {
        await writer.updateRoom(roomId, () => roomRow(roomId, at(0)));
        await writer.updateReservation(reservationId, () => reservation(reservationId, roomId, { updatedAt: at(5) }));
        let found: RoomRow | undefined;
        await writer.updateRoom(roomId, (row) => {
          found = row;
          return undefined;
        });
        return found;
      });
      expect(seen?.updatedAt).toBe(at(5));
      expect((await store.room(roomId))?.updatedAt).toBe(at(5));
      expect((await store.reservationsOf(roomId)).map((r) => r.reservationId)).toEqual([reservationId]);
    });

    it('when one update of a batch fails, then none of the batch is kept and the error is thrown', async () => {
      const store = subject();
      const roomId = uniqueId('batch-fail-room');
      const carId = uniqueId('batch-fail-car');
      await putRoom(store, roomRow(roomId, at(0), { name: 'Before' }));
      await expect(
        store.inOneTransaction(async (writer) => {
          await writer.updateRoom(roomId, () => roomRow(roomId, at(1), { name: 'After' }));
          await writer.updateCar(carId, () => carRow(carId));
          await writer.updateRoom(roomId, () => {
            throw new Error('unusable event');
          });
        }),
      ).rejects.toThrow('unusable event');
      expect((await store.room(roomId))?.room?.name).toBe('Before');
      expect((await store.carsById({ city: 'c', limit: 1000 })).map((c) => c.carId)).not.toContain(carId);
    });
  });

  it('when the store is reachable, then it is healthy', async () => {
    expect(await subject().isHealthy()).toBe(true);
  });
}
