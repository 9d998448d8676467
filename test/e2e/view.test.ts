import fs from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { api, eventually, newUsers, stay, unique, type User } from '../support/api';
import { messageTypes, roomView, statuses } from '../support/view';
import { findOnStream, publishCloudEvent, publishData } from '../support/events';
import { brokerDrained, onRedisStreams, PROFILE } from '../support/profile';

// Real CloudEvents through a real sidecar and Redis Streams → the real message and viewpage
// services (with their sidecars, MariaDB) → read back through the gateway.
jest.setTimeout(120_000);
const redis = new Redis({ port: Number(process.env.REDIS_PORT ?? 6379), lazyConnect: true });
const MESSAGE_FILES = path.resolve(__dirname, '..', '..', '.data', 'messages');
const CONSUMERS = [process.env.MESSAGE_APP_ID ?? 'message', process.env.VIEWPAGE_APP_ID ?? 'viewpage'];

/** The host the published events name: a real user, so the view of its rooms can be read. */
let host: User;
/** A user for the list checks; each fixture has a guest of its own. */
let guest: User;

beforeAll(async () => {
  await redis.connect();
  [host, guest] = await newUsers(2, 'view');
});
afterAll(() => redis.disconnect());

const now = () => new Date().toISOString();

/** Events of one room, car and reservation; the guest is a fresh real user, who reads the messages. */
async function fixture() {
  const city = unique('ViewCity');
  const roomId = unique('vroom');
  const carId = unique('vcar');
  const [guest] = await newUsers(1, 'vguest');
  const guestId = guest.userId;
  const reservationId = unique('vres');
  const { checkIn, checkOut } = stay(10, 2);
  const room = {
    roomId,
    hostId: host.userId,
    name: `Room ${roomId}`,
    city,
    pricePerNight: 70000,
    currency: 'KRW',
    description: '',
    capacity: 2,
    createdAt: now(),
    updatedAt: now(),
  };
  const car = {
    carId,
    hostId: host.userId,
    model: 'Ioniq 5',
    city,
    pricePerDay: 40000,
    currency: 'KRW',
    seats: 5,
    createdAt: now(),
    updatedAt: now(),
  };
  const reservation = (status: 'confirmed' | 'cancelled', version: number) => ({
    id: reservationId,
    reservationId,
    guestId,
    roomId,
    carId,
    checkIn,
    checkOut,
    nights: 2,
    amount: 220000,
    currency: 'KRW',
    status,
    paymentId: `pay-${reservationId}`,
    createdAt: now(),
    updatedAt: now(),
    roomName: room.name,
    city,
    version,
    occurredAt: now(),
  });
  const payment = (status: 'approved' | 'refunded', version: number) => ({
    id: `pay-${reservationId}`,
    paymentId: `pay-${reservationId}`,
    reservationId,
    guestId,
    amount: 220000,
    currency: 'KRW',
    status,
    createdAt: now(),
    version,
    occurredAt: now(),
  });
  const carBooking = (version: number) => ({ carId, reservationId, guestId, checkIn, checkOut, version, occurredAt: now() });
  return { city, roomId, carId, guest: guest, guestId, reservationId, room, car, reservation, payment, carBooking };
}

describe('messages and the view follow real events', () => {
  // Reads the Redis stream's own records; on another broker the consumers' routing by type shows it.
  (onRedisStreams ? it : it.skip)(
    `when a sidecar publishes with metadata cloudevent.type, then that is the CloudEvent type on the topic${onRedisStreams ? '' : ` (Redis Streams only; profile ${PROFILE.name})`}`,
    async () => {
      const marker = unique('type-check');
      await publishData('ViewTypeCheck', { marker, version: 1 }, marker);
      const event = await eventually(() => findOnStream(redis, marker), 15_000, 200);
      expect(event.type).toBe('ViewTypeCheck');
      expect(event.id).toBe(marker);
    },
  );

  it('when a reservation is confirmed and then cancelled, then one message per type and the view rows follow each step', async () => {
    const f = await fixture();
    await publishData('RoomRegistered', { ...f.room, version: 1, occurredAt: now() });
    await publishData('RentcarRegistered', { ...f.car, version: 1, occurredAt: now() });
    await eventually(async () => expect((await roomView(host, f.roomId)).name).toBe(f.room.name));

    await publishData('ReservationConfirmed', f.reservation('confirmed', 1));
    await publishData('PaymentApproved', f.payment('approved', 1));
    await publishData('RentcarReserved', f.carBooking(2));

    const confirmed = await eventually(async () => {
      const view = await roomView(host, f.roomId);
      expect(statuses(view.latestReservation)).toEqual({ status: 'confirmed', paymentStatus: 'approved', carStatus: 'reserved' });
      return view;
    });
    expect(confirmed).toMatchObject({ roomId: f.roomId, city: f.city, hostId: host.userId, pricePerNight: 70000, activeReservations: 1 });
    expect(confirmed.latestReservation).toEqual({
      reservationId: f.reservationId,
      guestId: f.guestId,
      checkIn: f.reservation('confirmed', 1).checkIn,
      checkOut: f.reservation('confirmed', 1).checkOut,
      status: 'confirmed',
      paymentStatus: 'approved',
      carId: f.carId,
      carStatus: 'reserved',
    });
    await eventually(async () =>
      expect(await messageTypes(f.guest, f.reservationId)).toEqual(['PaymentApproved', 'RentcarReserved', 'ReservationConfirmed']),
    );

    await publishData('ReservationCancelled', f.reservation('cancelled', 2));
    await publishData('PaymentRefunded', f.payment('refunded', 2));
    await publishData('RentcarReleased', f.carBooking(3));

    const cancelled = await eventually(async () => {
      const view = await roomView(host, f.roomId);
      expect(statuses(view.latestReservation)).toEqual({ status: 'cancelled', paymentStatus: 'refunded', carStatus: 'released' });
      return view;
    });
    expect(cancelled.activeReservations).toBe(0);
    expect(cancelled.reservations).toHaveLength(1);

    const all = [
      'PaymentApproved',
      'PaymentRefunded',
      'RentcarReleased',
      'RentcarReserved',
      'ReservationCancelled',
      'ReservationConfirmed',
    ];
    await eventually(async () => expect(await messageTypes(f.guest, f.reservationId)).toEqual(all));
    // The recipient's index is written just after the reservation's: wait for it too.
    const byGuest = await eventually(async () => {
      const answer = await f.guest.api('GET', `/messages?recipientId=${f.guestId}`);
      expect(answer.status).toBe(200);
      expect(answer.body.items).toHaveLength(6);
      return answer;
    });
    for (const message of byGuest.body.items) {
      expect(message).toEqual({
        id: expect.any(String),
        reservationId: f.reservationId,
        recipientId: f.guestId,
        type: expect.any(String),
        text: expect.stringContaining('Seoul'),
        createdAt: expect.any(String),
      });
    }
    expect(byGuest.body.items.find((m: { type: string }) => m.type === 'ReservationConfirmed').text).toContain(f.room.name);
    // Each message was handed to the output binding: one file per message.
    await eventually(async () => {
      for (const message of byGuest.body.items) expect(fs.existsSync(path.join(MESSAGE_FILES, `${message.id}.json`))).toBe(true);
    });
    const file = JSON.parse(fs.readFileSync(path.join(MESSAGE_FILES, `${byGuest.body.items[0].id}.json`), 'utf8'));
    expect(file.id).toBe(byGuest.body.items[0].id);
  });

  it('when the same CloudEvents arrive twice and out of order, then the result is the same as once in order', async () => {
    const f = await fixture();
    await publishData('RoomRegistered', { ...f.room, version: 1, occurredAt: now() });
    // Cancel side first, each twice with the same CloudEvent id; then the confirm side, twice.
    const late = [
      ['RentcarReleased', f.carBooking(3)],
      ['PaymentRefunded', f.payment('refunded', 2)],
      ['ReservationCancelled', f.reservation('cancelled', 2)],
      ['PaymentApproved', f.payment('approved', 1)],
      ['RentcarReserved', f.carBooking(2)],
      ['ReservationConfirmed', f.reservation('confirmed', 1)],
    ] as const;
    for (const [type, data] of late) {
      const id = await publishCloudEvent(type, data);
      await publishCloudEvent(type, data, id);
    }
    await eventually(async () => {
      expect(statuses((await roomView(host, f.roomId)).latestReservation)).toEqual({
        status: 'cancelled',
        paymentStatus: 'refunded',
        carStatus: 'released',
      });
    });
    await eventually(() => brokerDrained(CONSUMERS), 30_000, 300);
    const view = await roomView(host, f.roomId);
    expect(view.reservations).toHaveLength(1);
    expect(view.activeReservations).toBe(0);
    const types = await messageTypes(f.guest, f.reservationId);
    expect(types).toEqual([
      'PaymentApproved',
      'PaymentRefunded',
      'RentcarReleased',
      'RentcarReserved',
      'ReservationCancelled',
      'ReservationConfirmed',
    ]);

    // The whole sequence once more, same ids: nothing changes.
    for (const [type, data] of late) await publishCloudEvent(type, data);
    await eventually(() => brokerDrained(CONSUMERS), 30_000, 300);
    expect(await messageTypes(f.guest, f.reservationId)).toEqual(types);
    expect(statuses((await roomView(host, f.roomId)).latestReservation)).toEqual({
      status: 'cancelled',
      paymentStatus: 'refunded',
      carStatus: 'released',
    });
  });

  it('when a room is registered and then deleted, then GET /rooms?city= lists it and then drops it', async () => {
    const f = await fixture();
    await publishData('RoomRegistered', { ...f.room, version: 1, occurredAt: now() });
    await publishData('RentcarRegistered', { ...f.car, version: 1, occurredAt: now() });
    const listed = await eventually(async () => {
      const res = await api('GET', `/rooms?city=${encodeURIComponent(f.city)}`);
      expect(res.body.items).toHaveLength(1);
      return res.body;
    });
    expect(listed).toEqual({
      items: [
        {
          id: f.roomId,
          hostId: host.userId,
          name: f.room.name,
          city: f.city,
          pricePerNight: 70000,
          currency: 'KRW',
          description: '',
          capacity: 2,
          // The room's event carried no cancellation terms (published by the test): the defaults.
          cancellationPolicy: 'flexible',
          timeZone: 'Asia/Seoul',
          createdAt: f.room.createdAt,
          updatedAt: f.room.updatedAt,
        },
      ],
      nextCursor: null,
    });
    await eventually(async () => {
      const cars = await api('GET', `/rentcars?city=${encodeURIComponent(f.city)}`);
      expect(cars.body.items.map((c: { id: string }) => c.id)).toEqual([f.carId]);
    });
    // The host sees the room in their view until it is deleted.
    await eventually(async () => {
      const views = await host.api('GET', `/roomviews?city=${encodeURIComponent(f.city)}`);
      expect(views.body.items.map((v: { roomId: string }) => v.roomId)).toEqual([f.roomId]);
    });
    await publishData('RoomDeleted', { roomId: f.roomId, hostId: host.userId, city: f.city, version: 2, occurredAt: now() });
    await eventually(async () => {
      const res = await api('GET', `/rooms?city=${encodeURIComponent(f.city)}`);
      expect(res.body).toEqual({ items: [], nextCursor: null });
    });
    expect((await host.api('GET', `/roomviews/${f.roomId}`)).status).toBe(404);
    expect((await host.api('GET', `/roomviews?city=${encodeURIComponent(f.city)}`)).body.items).toEqual([]);
  });

  it('when a host revalidates their view with its ETag, then 304 through the gateway until an event changes it; another caller never gets that 304', async () => {
    const f = await fixture();
    const route = `/roomviews?city=${encodeURIComponent(f.city)}`;
    await publishData('RoomRegistered', { ...f.room, version: 1, occurredAt: now() });
    const first = await eventually(async () => {
      const res = await host.api('GET', route);
      expect(res.body.items.map((v: { roomId: string }) => v.roomId)).toEqual([f.roomId]);
      return res;
    });
    const tag = first.headers.get('etag')!;
    expect(tag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    const again = await host.api('GET', route, undefined, { 'If-None-Match': tag });
    expect([again.status, again.body, again.headers.get('etag')]).toEqual([304, undefined, tag]);
    // The same question with the same tag from another user: their own (empty) answer, in full.
    const other = await guest.api('GET', route, undefined, { 'If-None-Match': tag });
    expect([other.status, other.body]).toEqual([200, { items: [], nextCursor: null }]);
    await publishData('ReservationConfirmed', f.reservation('confirmed', 1));
    const changed = await eventually(async () => {
      const res = await host.api('GET', route, undefined, { 'If-None-Match': tag });
      expect(res.status).toBe(200);
      return res;
    });
    expect(changed.headers.get('etag')).not.toBe(tag);
    expect(changed.body.items[0]).toMatchObject({ roomId: f.roomId, latestReservation: { reservationId: f.reservationId } });
  });

  it('when the list parameters are wrong, then 400 in the API error shape', async () => {
    // (`GET /messages` without a query is the caller's own list since API.md v2; an unknown parameter is 400.)
    for (const route of [
      '/roomviews?limit=101',
      '/messages?guestId=x',
      `/messages?recipientId=${guest.userId}&limit=500`,
      '/rooms?cursor=nope',
    ]) {
      const res = await guest.api('GET', route);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });
});
