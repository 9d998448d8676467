import pino from 'pino';
import request from 'supertest';
import { BULK_ROUTE } from '@staycar/common';
import { createApp } from '../src/http/app';
import { projectBatch, projectEvent } from '../src/app/project';
import { ViewReader } from '../src/app/read';
import { MemoryViewStore } from './memoryViewStore';
import { MemoryRoomSearch } from './memoryRoomSearch';
import { RoomSearcher } from '../src/app/search';
import { as, asOperator } from '../../common/test/support/identity';

const logger = pino({ level: 'silent' });
const HOST = as('host-1');

function setup() {
  const store = new MemoryViewStore();
  let clock = Date.UTC(2030, 0, 1);
  const app = createApp({
    config: { pubsub: 'pubsub', eventsTopics: ['topic'], deadLetterTopic: 'dead' },
    logger,
    reader: new ViewReader(store),
    searcher: new RoomSearcher(new MemoryRoomSearch(store)),
    project: (event) => projectEvent(store, event, new Date(clock++)),
    projectBatch: (events) => projectBatch(store, events, new Date(clock++)),
    sidecarHealthy: async () => true,
    databaseHealthy: () => store.isHealthy(),
  });
  const publish = (type: string, data: object, id = `${type}-${Math.random()}`) =>
    request(app).post(`/events/${type}`).send({ id, type, data });
  return { store, app, publish };
}

const roomData = (roomId: string, city = 'Seoul', extra: object = {}) => ({
  roomId,
  hostId: 'host-1',
  name: `Room ${roomId}`,
  city,
  pricePerNight: 50000,
  currency: 'KRW',
  description: '',
  capacity: 2,
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
  version: 1,
  ...extra,
});
const reservationData = (reservationId: string, roomId: string, version = 1) => ({
  id: reservationId,
  guestId: 'guest-1',
  roomId,
  carId: 'car-1',
  checkIn: '2030-03-01',
  checkOut: '2030-03-03',
  nights: 2,
  amount: 100000,
  version,
  occurredAt: `2030-01-02T00:00:0${version}.000Z`,
  createdAt: '2030-01-02T00:00:00.000Z',
});

describe('viewpage HTTP', () => {
  it('when room and reservation events are delivered, then /roomviews/{id} shows the room with its reservation statuses', async () => {
    const { app, publish } = setup();
    expect((await publish('PaymentApproved', { reservationId: 'r-1', guestId: 'guest-1', version: 1 })).body.status).toBe('SUCCESS');
    await publish('RoomRegistered', roomData('room-1'));
    await publish('ReservationConfirmed', reservationData('r-1', 'room-1'));
    await publish('RentcarReserved', { carId: 'car-1', reservationId: 'r-1', guestId: 'guest-1', version: 3 });
    const res = await request(app).get('/roomviews/room-1').set(HOST);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      roomId: 'room-1',
      name: 'Room room-1',
      activeReservations: 1,
      reviewCount: 0,
      averageRating: null,
      latestReservation: { reservationId: 'r-1', status: 'confirmed', paymentStatus: 'approved', carId: 'car-1', carStatus: 'reserved' },
      reservations: [{ reservationId: 'r-1', status: 'confirmed' }],
    });
  });

  it('when ReservationCompleted arrives, then the reservation shows completed and no longer counts as active', async () => {
    const { app, publish } = setup();
    await publish('RoomRegistered', roomData('room-c'));
    await publish('ReservationConfirmed', reservationData('r-c', 'room-c'));
    expect((await request(app).get('/roomviews/room-c').set(HOST)).body.activeReservations).toBe(1);
    expect((await publish('ReservationCompleted', { ...reservationData('r-c', 'room-c', 2), status: 'completed' })).body.status).toBe(
      'SUCCESS',
    );
    const res = await request(app).get('/roomviews/room-c').set(HOST);
    expect(res.body).toMatchObject({
      activeReservations: 0,
      latestReservation: { reservationId: 'r-c', status: 'completed' },
      reservations: [{ reservationId: 'r-c', status: 'completed' }],
    });
    // Redelivered, or a stale confirmation after it: nothing moves back.
    await publish('ReservationCompleted', { ...reservationData('r-c', 'room-c', 2), status: 'completed' });
    await publish('ReservationConfirmed', reservationData('r-c', 'room-c'));
    expect((await request(app).get('/roomviews/room-c').set(HOST)).body.latestReservation.status).toBe('completed');
  });

  it('when a cancel refunds a part, then paymentStatus is partially_refunded; a PaymentRefunded without status (old code) is refunded', async () => {
    const { app, publish } = setup();
    await publish('RoomRegistered', roomData('room-p'));
    for (const [id, status] of [
      ['r-part', 'partially_refunded'],
      ['r-full', 'refunded'],
      ['r-old', undefined],
    ] as const) {
      await publish('ReservationConfirmed', reservationData(id, 'room-p'));
      await publish('PaymentApproved', { reservationId: id, guestId: 'guest-1', status: 'approved', version: 1 });
      await publish('ReservationCancelled', reservationData(id, 'room-p', 2));
      const refund = await publish('PaymentRefunded', { reservationId: id, guestId: 'guest-1', version: 2, ...(status ? { status } : {}) });
      expect(refund.body.status).toBe('SUCCESS');
    }
    const res = await request(app).get('/roomviews/room-p').set(HOST);
    const byId = Object.fromEntries(
      res.body.reservations.map((r: { reservationId: string; paymentStatus: string }) => [r.reservationId, r.paymentStatus]),
    );
    expect(byId).toEqual({ 'r-part': 'partially_refunded', 'r-full': 'refunded', 'r-old': 'refunded' });
  });

  it('when a room is deleted, then it leaves /roomviews and /rooms and /roomviews/{id} answers 404', async () => {
    const { app, publish } = setup();
    await publish('RoomRegistered', roomData('room-2'));
    expect((await request(app).get('/rooms?city=Seoul')).body.items.map((r: { id: string }) => r.id)).toEqual(['room-2']);
    await publish('RoomDeleted', { roomId: 'room-2', hostId: 'host-1', city: 'Seoul', version: 2 });
    expect((await request(app).get('/rooms?city=Seoul')).body).toEqual({ items: [], nextCursor: null });
    expect((await request(app).get('/roomviews').set(HOST)).body.items).toEqual([]);
    const gone = await request(app).get('/roomviews/room-2').set(HOST);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('NOT_FOUND');
  });

  it('when /rooms is asked, then it answers full Room objects filtered by city and host', async () => {
    const { app, publish } = setup();
    await publish('RoomRegistered', roomData('a', 'Seoul'));
    await publish('RoomRegistered', roomData('b', 'Busan'));
    await publish('RoomRegistered', roomData('c', 'Seoul', { hostId: 'host-2' }));
    const seoul = await request(app).get('/rooms?city=Seoul');
    expect(seoul.body.items.map((r: { id: string }) => r.id)).toEqual(['a', 'c']);
    expect(seoul.body.items[0]).toEqual({
      id: 'a',
      hostId: 'host-1',
      name: 'Room a',
      city: 'Seoul',
      pricePerNight: 50000,
      currency: 'KRW',
      description: '',
      capacity: 2,
      cancellationPolicy: 'flexible',
      timeZone: 'Asia/Seoul',
      createdAt: '2030-01-01T00:00:00.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
    });
    expect((await request(app).get('/rooms?city=Seoul')).body.items).toHaveLength(2);
    await publish('RoomModified', roomData('a', 'Seoul', { version: 2, cancellationPolicy: 'strict', timeZone: 'Europe/Paris' }));
    const changed = (await request(app).get('/rooms?city=Seoul')).body.items.find((r: { id: string }) => r.id === 'a');
    expect(changed).toMatchObject({ cancellationPolicy: 'strict', timeZone: 'Europe/Paris' });
    expect((await request(app).get('/rooms?hostId=host-2')).body.items.map((r: { id: string }) => r.id)).toEqual(['c']);
  });

  it('when /rentcars is asked, then cars from Rentcar events are listed by city', async () => {
    const { app, publish } = setup();
    await publish('RentcarRegistered', {
      carId: 'k1',
      hostId: 'h',
      model: 'Ioniq',
      city: 'Jeju',
      pricePerDay: 70000,
      seats: 5,
      version: 1,
    });
    const res = await request(app).get('/rentcars?city=Jeju');
    expect(res.body).toEqual({
      items: [expect.objectContaining({ id: 'k1', model: 'Ioniq', seats: 5, currency: 'KRW' })],
      nextCursor: null,
    });
  });

  it('when there are more rooms than the limit, then pages (most recently updated first) follow nextCursor without repeats', async () => {
    const { app, publish } = setup();
    for (const id of ['r1', 'r2', 'r3', 'r4', 'r5'])
      await publish('RoomRegistered', roomData(id, 'Seoul', { occurredAt: `2030-01-0${id[1]}T00:00:00.000Z` }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await request(app)
        .get(`/roomviews?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(HOST);
      seen.push(...page.body.items.map((r: { roomId: string }) => r.roomId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);
  });

  it('when limit is over 100, a cursor is foreign or a field is unknown, then 400 VALIDATION_FAILED', async () => {
    const { app } = setup();
    for (const url of ['/roomviews?limit=101', '/roomviews?cursor=zzz', '/rooms?colour=red', '/rentcars?limit=0']) {
      const res = await request(app).get(url).set(HOST);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('when an event misses what the view needs, then it is dropped, not retried', async () => {
    const { publish, store } = setup();
    expect((await publish('RoomRegistered', { roomId: 'x' })).body).toEqual({ status: 'DROP' });
    expect(store.rooms.size).toBe(0);
  });

  it('when the database is down, then /readyz answers 503 naming it', async () => {
    const { app, store } = setup();
    store.healthy = false;
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ sidecar: 'up', database: 'down' });
  });
});

describe('list micro-cache', () => {
  it('when the same list is asked twice within the cache period, then the store is read once; after a change and the period, the change shows', async () => {
    const store = new MemoryViewStore();
    let reads = 0;
    const original = store.roomsByUpdated.bind(store);
    store.roomsByUpdated = async (q) => {
      reads++;
      return original(q);
    };
    const view = new ViewReader(store, 50);
    await projectEvent(store, { type: 'RoomRegistered', data: roomData('m1') });
    const [a, b] = await Promise.all([view.roomViews({ limit: 10 }), view.roomViews({ limit: 10 })]);
    expect(a).toBe(b);
    expect(reads).toBe(1);
    await projectEvent(store, { type: 'RoomRegistered', data: roomData('m2') });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await view.roomViews({ limit: 10 })).items).toHaveLength(2);
    expect(reads).toBe(2);
  });
});

describe('ownership (API.md v2: the view shows a host their own rooms)', () => {
  async function twoHosts() {
    const world = setup();
    await world.publish('RoomRegistered', roomData('room-a', 'Seoul'));
    await world.publish('RoomRegistered', roomData('room-b', 'Seoul', { hostId: 'host-2' }));
    await world.publish('ReservationConfirmed', reservationData('r-1', 'room-a'));
    return world;
  }
  const ids = (res: request.Response) => res.body.items.map((r: { roomId?: string; id?: string }) => r.roomId ?? r.id).sort();

  it('when nobody is signed in, then /roomviews and /roomviews/{id} are 401 UNAUTHENTICATED; /rooms and /rentcars stay public', async () => {
    const { app } = await twoHosts();
    for (const url of ['/roomviews', '/roomviews/room-a']) {
      const res = await request(app).get(url);
      expect([url, res.status, res.body.error.code]).toEqual([url, 401, 'UNAUTHENTICATED']);
    }
    expect(ids(await request(app).get('/rooms'))).toEqual(['room-a', 'room-b']);
    expect((await request(app).get('/rentcars')).status).toBe(200);
  });

  it('when a host lists the view, then only their own rooms; an operator lists every room', async () => {
    const { app } = await twoHosts();
    expect(ids(await request(app).get('/roomviews').set(HOST))).toEqual(['room-a']);
    expect(ids(await request(app).get('/roomviews?city=Seoul').set(as('host-2')))).toEqual(['room-b']);
    expect(ids(await request(app).get('/roomviews').set(as('guest-1')))).toEqual([]);
    expect(ids(await request(app).get('/roomviews').set(asOperator()))).toEqual(['room-a', 'room-b']);
  });

  it("when someone else asks for a room's view, then 404 NOT_FOUND as for an unknown room; its host and an operator see it with its reservations", async () => {
    const { app } = await twoHosts();
    const unknown = await request(app).get('/roomviews/room-none').set(as('host-2'));
    for (const who of [as('host-2'), as('guest-1')]) {
      const res = await request(app).get('/roomviews/room-a').set(who);
      expect([res.status, res.body]).toEqual([404, unknown.body]);
    }
    for (const who of [HOST, asOperator()]) {
      expect((await request(app).get('/roomviews/room-a').set(who)).body).toMatchObject({
        roomId: 'room-a',
        hostId: 'host-1',
        reservations: [{ reservationId: 'r-1' }],
      });
    }
  });

  it('when a path id is not a client id (NUL, encoded slash, too long), then 404 NOT_FOUND without asking the database', async () => {
    const { app, store } = await twoHosts();
    const asked: string[] = [];
    const room = store.room.bind(store);
    store.room = async (roomId) => {
      asked.push(roomId);
      return room(roomId);
    };
    for (const id of ['%00', 'room-a%00', 'a%2Fb', 'x'.repeat(101)]) {
      const res = await request(app).get(`/roomviews/${id}`).set(asOperator());
      expect([id, res.status, res.body.error.code]).toEqual([id, 404, 'NOT_FOUND']);
    }
    expect(asked).toEqual([]);
  });
});

describe('conditional reads of the view (ETag, If-None-Match → 304)', () => {
  const emptyHosts = () => {
    const { app } = setup();
    return app;
  };

  it('when a host asks again with the ETag of their answer, then 304 without a body; after a change, 200 with a new ETag', async () => {
    const { app, publish } = setup();
    await publish('RoomRegistered', roomData('room-e'));
    const first = await request(app).get('/roomviews').set(HOST);
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('private, no-cache');
    expect(first.headers.vary).toBe('Authorization');
    const tag = first.headers.etag;
    expect(tag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const same = await request(app).get('/roomviews').set(HOST).set('If-None-Match', tag);
    expect([same.status, same.text, same.headers.etag]).toEqual([304, '', tag]);
    await publish('ReservationConfirmed', reservationData('r-e', 'room-e'));
    const changed = await request(app).get('/roomviews').set(HOST).set('If-None-Match', tag);
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(tag);
    expect(changed.body.items[0]).toMatchObject({ roomId: 'room-e', activeReservations: 1 });
  });

  it('when another caller sends the ETag of a host’s answer, then they get their own full answer, never a 304 (even when the bodies are equal)', async () => {
    const app = emptyHosts();
    const host1 = await request(app).get('/roomviews').set(as('host-1'));
    const host2 = await request(app).get('/roomviews').set(as('host-2')).set('If-None-Match', host1.headers.etag);
    expect(host2.body).toEqual(host1.body);
    expect(host2.status).toBe(200);
    expect(host2.headers.etag).not.toBe(host1.headers.etag);
    const operator = await request(app).get('/roomviews').set(asOperator()).set('If-None-Match', host1.headers.etag);
    expect(operator.status).toBe(200);
    expect(operator.headers.etag).not.toBe(host1.headers.etag);
  });

  it('when a room view is asked again with its ETag (W/ or in a list), then 304; by another host, 404 whatever the tag', async () => {
    const { app, publish } = setup();
    await publish('RoomRegistered', roomData('room-f'));
    const tag = (await request(app).get('/roomviews/room-f').set(HOST)).headers.etag;
    expect((await request(app).get('/roomviews/room-f').set(HOST).set('If-None-Match', `"x", W/${tag}`)).status).toBe(304);
    expect((await request(app).get('/roomviews/room-f').set(as('host-2')).set('If-None-Match', tag)).status).toBe(404);
  });
});

describe('viewpage in bulk (one transaction per batch)', () => {
  function bulkSetup() {
    const store = new MemoryViewStore();
    const transactions: number[] = [];
    const app = createApp({
      config: {
        pubsub: 'pubsub',
        eventsTopics: ['room-events'],
        deadLetterTopic: 'dead',
        bulk: { maxMessagesCount: 32, maxAwaitDurationMs: 100 },
      },
      logger,
      reader: new ViewReader(store),
      searcher: new RoomSearcher(new MemoryRoomSearch(store)),
      project: (event) => projectEvent(store, event),
      projectBatch: async (events) => {
        transactions.push(events.length);
        return projectBatch(store, events);
      },
      sidecarHealthy: async () => true,
      databaseHealthy: () => store.isHealthy(),
    });
    const deliver = (events: { type: string; data: object }[]) =>
      request(app)
        .post(BULK_ROUTE)
        .send({ entries: events.map((e, i) => ({ entryId: `e${i}`, event: { id: `id-${i}`, ...e } })) });
    return { store, transactions, deliver };
  }

  it('when a batch of good events arrives, then all of them are folded in one transaction', async () => {
    const { store, transactions, deliver } = bulkSetup();
    const res = await deliver([
      { type: 'RoomRegistered', data: roomData('b-1') },
      { type: 'RoomRegistered', data: roomData('b-2') },
      { type: 'RoomModified', data: roomData('b-1', 'Busan', { version: 2 }) },
    ]);
    expect(res.body.statuses.map((s: { status: string }) => s.status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect(transactions).toEqual([3]);
    expect(store.rooms.get('b-1')?.room?.city).toBe('Busan');
    expect(store.rooms.has('b-2')).toBe(true);
  });

  it('when one event of a batch is unusable, then only it is DROPped (dead-lettered) and every other one is applied', async () => {
    const { store, deliver } = bulkSetup();
    const res = await deliver([
      { type: 'RoomRegistered', data: roomData('p-1') },
      { type: 'RoomRegistered', data: { roomId: 'p-bad', pricePerNight: -1 } },
      { type: 'RoomRegistered', data: roomData('p-2') },
    ]);
    expect(res.body.statuses.map((s: { status: string }) => s.status)).toEqual(['SUCCESS', 'DROP', 'SUCCESS']);
    expect([...store.rooms.keys()].sort()).toEqual(['p-1', 'p-2']);
  });
});
