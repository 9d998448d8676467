import pino from 'pino';
import request from 'supertest';
import { createApp } from '../src/http/app';
import { projectBatch, projectEvent } from '../src/app/project';
import { ViewReader } from '../src/app/read';
import { RoomSearcher } from '../src/app/search';
import { MemoryRoomSearch } from './memoryRoomSearch';
import { MemoryViewStore } from './memoryViewStore';

const TODAY = Date.UTC(2031, 0, 10, 15);

function setup() {
  const store = new MemoryViewStore();
  const app = createApp({
    config: { pubsub: 'pubsub', eventsTopics: ['topic'], deadLetterTopic: 'dead' },
    logger: pino({ level: 'silent' }),
    reader: new ViewReader(store),
    searcher: new RoomSearcher(new MemoryRoomSearch(store), () => new Date(TODAY)),
    project: (event) => projectEvent(store, event),
    projectBatch: (events) => projectBatch(store, events),
    sidecarHealthy: async () => true,
    databaseHealthy: () => store.isHealthy(),
  });
  const publish = async (type: string, data: object) => {
    const res = await request(app)
      .post(`/events/${type}`)
      .send({ id: `${type}-${Math.random()}`, type, data });
    expect(res.body.status).toBe('SUCCESS');
  };
  const search = (query: Record<string, string | number>) => request(app).get('/search/rooms').query(query);
  return { app, publish, search };
}

const room = (roomId: string, pricePerNight: number, extra: object = {}) => ({
  roomId,
  hostId: 'host-1',
  name: `Room ${roomId}`,
  city: 'Jeju',
  pricePerNight,
  currency: 'KRW',
  description: 'Sea view',
  capacity: 2,
  createdAt: '2031-01-01T00:00:00.000Z',
  updatedAt: '2031-01-01T00:00:00.000Z',
  version: 1,
  ...extra,
});
const booking = (id: string, roomId: string, checkIn: string, checkOut: string, version = 1) => ({
  id,
  guestId: 'guest-1',
  roomId,
  carId: null,
  checkIn,
  checkOut,
  version,
});
const stay = { city: 'Jeju', checkIn: '2031-02-01', checkOut: '2031-02-04' };
const ids = (res: request.Response) => (res.body as { items: Array<{ id: string }> }).items.map((r) => r.id);

describe('GET /search/rooms', () => {
  it('when rooms are free for the stay, then each comes with what GET /rooms shows, its rating, the nights and the total price', async () => {
    const { publish, search } = setup();
    await publish('RoomRegistered', room('room-a', 80_000));
    await publish('ReviewCreated', { roomId: 'room-a', reviewCount: 2, averageRating: 4.5, version: 2 });
    const res = await search(stay);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        {
          id: 'room-a',
          hostId: 'host-1',
          name: 'Room room-a',
          city: 'Jeju',
          pricePerNight: 80_000,
          currency: 'KRW',
          description: 'Sea view',
          capacity: 2,
          // A snapshot without the terms (a room registered before them) shows their defaults.
          cancellationPolicy: 'flexible',
          timeZone: 'Asia/Seoul',
          createdAt: '2031-01-01T00:00:00.000Z',
          updatedAt: '2031-01-01T00:00:00.000Z',
          averageRating: 4.5,
          reviewCount: 2,
          nights: 3,
          totalPrice: 240_000,
        },
      ],
      nextCursor: null,
    });
  });

  it('when a room is booked on some nights, then it is left out for overlapping stays, shown for others, and shown again once cancelled', async () => {
    const { publish, search } = setup();
    await publish('RoomRegistered', room('room-a', 80_000));
    await publish('RoomRegistered', room('room-b', 90_000));
    await publish('ReservationConfirmed', booking('res-1', 'room-a', '2031-02-02', '2031-02-03'));
    expect(ids(await search(stay))).toEqual(['room-b']);
    expect(ids(await search({ ...stay, checkIn: '2031-02-03', checkOut: '2031-02-05' }))).toEqual(['room-a', 'room-b']);
    await publish('ReservationCancelled', booking('res-1', 'room-a', '2031-02-02', '2031-02-03', 2));
    expect(ids(await search(stay))).toEqual(['room-a', 'room-b']);
  });

  it('when guests, a price range and the rating order are asked, then the answer follows them', async () => {
    const { publish, search } = setup();
    await publish('RoomRegistered', room('cheap', 30_000, { capacity: 1 }));
    await publish('RoomRegistered', room('mid', 60_000, { capacity: 4 }));
    await publish('RoomRegistered', room('dear', 150_000, { capacity: 6 }));
    await publish('ReviewCreated', { roomId: 'mid', reviewCount: 1, averageRating: 5, version: 1 });
    await publish('ReviewCreated', { roomId: 'dear', reviewCount: 1, averageRating: 3, version: 1 });
    expect(ids(await search({ ...stay, guests: 3 }))).toEqual(['mid', 'dear']);
    expect(ids(await search({ ...stay, minPrice: 30_000, maxPrice: 60_000 }))).toEqual(['cheap', 'mid']);
    expect(ids(await search({ ...stay, sort: 'rating' }))).toEqual(['mid', 'dear', 'cheap']);
  });

  it('when there are more rooms than the limit, then nextCursor leads through all of them once, and null ends it', async () => {
    const { publish, search } = setup();
    for (let i = 0; i < 5; i++) await publish('RoomRegistered', room(`room-${i}`, 10_000 * (5 - i)));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await search({ ...stay, limit: 2, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...ids(res));
      cursor = (res.body as { nextCursor: string | null }).nextCursor;
    } while (cursor);
    expect(seen).toEqual(['room-4', 'room-3', 'room-2', 'room-1', 'room-0']);
  });

  it('when the stay or the query is not valid, then 400 VALIDATION_FAILED names each field', async () => {
    const { search } = setup();
    const problem = async (query: Record<string, string | number>) => {
      const res = await search(query);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      return (res.body as { error: { details: Array<{ field: string }> } }).error.details.map((d) => d.field);
    };
    expect(await problem({ ...stay, checkIn: '2031-01-09' })).toEqual(['checkIn']);
    expect(await problem({ ...stay, checkOut: '2031-02-01' })).toEqual(['checkOut']);
    expect(await problem({ ...stay, checkOut: '2031-06-01' })).toEqual(['checkOut']);
    expect(await problem({ ...stay, minPrice: 5, maxPrice: 4 })).toEqual(['maxPrice']);
    expect(await problem({ checkIn: stay.checkIn, checkOut: stay.checkOut })).toEqual(['city']);
    expect(await problem({ ...stay, guests: 0 })).toEqual(['guests']);
    expect(await problem({ ...stay, sort: 'name' })).toEqual(['sort']);
    expect(await problem({ ...stay, limit: 101 })).toEqual(['limit']);
    expect(await problem({ ...stay, cursor: 'bogus' })).toEqual(['cursor']);
    expect(await problem({ ...stay, hostId: 'x' })).toEqual(['hostId']);
  });

  it('when a cursor of the price order is sent with sort=rating, then it is refused (400 on cursor)', async () => {
    const { publish, search } = setup();
    for (let i = 0; i < 3; i++) await publish('RoomRegistered', room(`room-${i}`, 1000 + i));
    const first = await search({ ...stay, limit: 1 });
    const res = await search({ ...stay, sort: 'rating', cursor: (first.body as { nextCursor: string }).nextCursor });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'cursor', reason: 'is not a cursor this list gave out' }]);
  });

  it('when no caller is named (no x-staycar-user-id), then the search still answers: it is public', async () => {
    const { search } = setup();
    expect((await search(stay)).status).toBe(200);
  });
});
