import { randomId } from '@staycar/common';
import request from 'supertest';
import pino from 'pino';
import { MemoryStatePort as MemoryState } from '@staycar/common/testing';
import { as } from '../../common/test/support/identity';
import { deliver, outcome } from '../../common/test/support/internalCalls';
import { describeListingHolds, describeListingOwnership, type ListingUnderTest } from '../../common/test/support/listingSuites';
import { carKeys } from '../src/adapters/state';
import { rentcarUseCases } from '../src/app';
import { createApp } from '../src/http/app';

const config = { pubsub: 'pubsub', eventsTopics: ['events'], deadLetterTopic: 'events-dead' };

function setup(options: { holdTtlSeconds?: number; writeAttempts?: number } = {}) {
  const state = new MemoryState();
  let now = new Date('2030-01-01T00:00:00Z');
  const advance = (seconds: number) => void (now = new Date(now.getTime() + seconds * 1000));
  const logger = pino({ level: 'silent' });
  const useCases = rentcarUseCases(
    { state, keys: carKeys, logger, now: () => now, newId: randomId },
    { holdTtlSeconds: options.holdTtlSeconds ?? 600, writeAttempts: options.writeAttempts ?? 12 },
  );
  const app = createApp({ config, logger, ...useCases, sidecarHealthy: async () => true });
  return { app, state, advance };
}
type App = ReturnType<typeof setup>['app'];

const newCar = { hostId: 'host-1', model: 'Ioniq 5', city: 'Jeju', pricePerDay: 70000 };
const HOST = as('host-1');

async function createCar(app: App) {
  const res = await request(app).post('/rentcars').set(HOST).send(newCar);
  expect(res.status).toBe(201);
  return res.body as { id: string } & Record<string, unknown>;
}

const hold = (app: App, carId: string, reservationId: string, checkIn = '2030-02-01', checkOut = '2030-02-03') =>
  request(app).post(`/internal/rentcars/${carId}/holds`).send({ reservationId, guestId: 'guest-1', checkIn, checkOut }).then(outcome);
const confirm = (app: App, carId: string, reservationId: string) =>
  request(app).post(`/internal/rentcars/${carId}/holds/${reservationId}/confirm`);
const reservation = (carId: string | null, id: string) => ({
  id,
  guestId: 'guest-1',
  roomId: 'room_1',
  carId,
  checkIn: '2030-02-01',
  checkOut: '2030-02-03',
  nights: 2,
  amount: 1,
  currency: 'KRW',
  status: 'confirmed',
  version: 1,
});

describe('cars over HTTP', () => {
  it('when a car is registered, then 201 with defaults and RentcarRegistered; GET shows it', async () => {
    const { app, state } = setup();
    const car = await createCar(app);
    expect(car).toEqual({
      id: expect.stringMatching(/^car_[0-9a-f]+$/),
      ...newCar,
      currency: 'KRW',
      seats: 4,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(state.eventsOf('RentcarRegistered')).toEqual([expect.objectContaining({ carId: car.id, version: 1, seats: 4 })]);
    expect((await request(app).get(`/rentcars/${car.id}`)).body).toEqual(car);
  });

  it('when fields are invalid or unknown, then 400 VALIDATION_FAILED per field', async () => {
    const { app, state } = setup();
    const res = await request(app)
      .post('/rentcars')
      .set(HOST)
      .send({ hostId: 'h', model: ' ', city: 'Jeju', pricePerDay: -1, seats: 0, color: 'red' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['color', 'model', 'pricePerDay', 'seats']);
    expect(state.published).toEqual([]);
  });

  it('when patched, then the fields change; id, hostId, createdAt, currency or unknown fields are 400', async () => {
    const { app, state } = setup();
    const car = await createCar(app);
    expect((await request(app).patch(`/rentcars/${car.id}`).set(HOST).send({ seats: 2 })).body).toMatchObject({
      seats: 2,
      model: 'Ioniq 5',
    });
    const bad = await request(app)
      .patch(`/rentcars/${car.id}`)
      .set(HOST)
      .send({ id: 'x', hostId: 'h', createdAt: 'x', currency: 'USD', wheels: 4 });
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'createdAt',
      'currency',
      'hostId',
      'id',
      'wheels',
    ]);
    expect(state.eventsOf('RentcarModified').map((e) => e.version)).toEqual([2]);
  });

  it('when four PATCHes of different fields race, then all survive', async () => {
    const { app } = setup();
    const car = await createCar(app);
    const patches = [{ model: 'M' }, { city: 'Seoul' }, { pricePerDay: 5 }, { seats: 9 }];
    const answers = await Promise.all(patches.map((p) => request(app).patch(`/rentcars/${car.id}`).set(HOST).send(p)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect((await request(app).get(`/rentcars/${car.id}`)).body).toMatchObject({ model: 'M', city: 'Seoul', pricePerDay: 5, seats: 9 });
  });

  it('when writes keep losing ETag races, then 503 TRY_LATER', async () => {
    const { app, state } = setup({ writeAttempts: 2 });
    const car = await createCar(app);
    state.conflictsToInject = 2;
    expect((await request(app).patch(`/rentcars/${car.id}`).set(HOST).send({ seats: 2 })).body.error.code).toBe('TRY_LATER');
  });

  it('when the car is unknown or deleted, then 404 CAR_NOT_FOUND everywhere', async () => {
    const { app, state } = setup();
    const car = await createCar(app);
    expect((await request(app).delete(`/rentcars/${car.id}`).set(HOST)).status).toBe(204);
    expect(state.eventsOf('RentcarDeleted')).toEqual([expect.objectContaining({ carId: car.id, version: 2 })]);
    for (const id of [car.id, 'car_nope']) {
      expect((await request(app).get(`/rentcars/${id}`)).body.error.code).toBe('CAR_NOT_FOUND');
      expect((await request(app).patch(`/rentcars/${id}`).set(HOST).send({ seats: 2 })).body.error.code).toBe('CAR_NOT_FOUND');
      expect((await request(app).delete(`/rentcars/${id}`).set(HOST)).body.error.code).toBe('CAR_NOT_FOUND');
      expect((await request(app).get(`/rentcars/${id}/availability?checkIn=2030-02-01&checkOut=2030-02-02`)).body.error.code).toBe(
        'CAR_NOT_FOUND',
      );
      expect((await hold(app, id, 'res-1')).body.error.code).toBe('CAR_NOT_FOUND');
    }
  });
});

describe('availability and holds', () => {
  it('when days are held, then unavailable for overlaps, available back-to-back; invalid dates are 400', async () => {
    const { app } = setup();
    const car = await createCar(app);
    const ask = (checkIn: string, checkOut: string) =>
      request(app).get(`/rentcars/${car.id}/availability?checkIn=${checkIn}&checkOut=${checkOut}`);
    await hold(app, car.id, 'res-1');
    expect((await ask('2030-02-02', '2030-02-04')).body).toEqual({
      carId: car.id,
      checkIn: '2030-02-02',
      checkOut: '2030-02-04',
      available: false,
    });
    expect((await ask('2030-02-03', '2030-02-04')).body.available).toBe(true);
    expect((await ask('2030-02-04', '2030-02-03')).body.error.code).toBe('VALIDATION_FAILED');
    expect((await ask('2030-01-01', '2030-04-02')).status).toBe(400);
  });

  it('when a hold is made, then the Hold carries the car at hold time; repeating it answers 200', async () => {
    const { app } = setup({ holdTtlSeconds: 30 });
    const car = await createCar(app);
    const first = await hold(app, car.id, 'res-1');
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      carId: car.id,
      reservationId: 'res-1',
      guestId: 'guest-1',
      checkIn: '2030-02-01',
      checkOut: '2030-02-03',
      nights: 2,
      status: 'held',
      expiresAt: '2030-01-01T00:00:30.000Z',
      pricePerDay: 70000,
      currency: 'KRW',
      model: 'Ioniq 5',
      city: 'Jeju',
      hostId: 'host-1',
    });
    expect((await hold(app, car.id, 'res-1')).status).toBe(200);
  });
});

describe('RentcarReserved / RentcarReleased', () => {
  it('when a confirmed reservation with this car arrives (twice), then booked and exactly one RentcarReserved', async () => {
    const { app, state } = setup();
    const car = await createCar(app);
    await hold(app, car.id, 'res-1');
    await deliver(app, 'ReservationConfirmed', reservation(car.id, 'res-1'));
    await deliver(app, 'ReservationConfirmed', reservation(car.id, 'res-1'));
    expect((await confirm(app, car.id, 'res-1')).body.status).toBe('booked');
    expect(state.eventsOf('RentcarReserved')).toEqual([
      {
        carId: car.id,
        reservationId: 'res-1',
        guestId: 'guest-1',
        checkIn: '2030-02-01',
        checkOut: '2030-02-03',
        version: 1,
        occurredAt: expect.any(String),
      },
    ]);
  });

  it('when the internal confirm books first, then the event publishes nothing more (still one RentcarReserved)', async () => {
    const { app, state } = setup();
    const car = await createCar(app);
    await hold(app, car.id, 'res-1');
    await confirm(app, car.id, 'res-1');
    await deliver(app, 'ReservationConfirmed', reservation(car.id, 'res-1'));
    expect(state.eventsOf('RentcarReserved')).toHaveLength(1);
  });

  it('when the reservation is cancelled (twice), then the days are free and exactly one RentcarReleased', async () => {
    const { app, state } = setup();
    const car = await createCar(app);
    await hold(app, car.id, 'res-1');
    await deliver(app, 'ReservationConfirmed', reservation(car.id, 'res-1'));
    await deliver(app, 'ReservationCancelled', { ...reservation(car.id, 'res-1'), status: 'cancelled', version: 2 });
    await deliver(app, 'ReservationCancelled', { ...reservation(car.id, 'res-1'), status: 'cancelled', version: 2 });
    expect(state.eventsOf('RentcarReleased')).toEqual([expect.objectContaining({ carId: car.id, reservationId: 'res-1', version: 2 })]);
    expect((await hold(app, car.id, 'res-2')).status).toBe(201);
  });

  it('when the cancel arrives before the confirm, then released once and the late confirm books nothing', async () => {
    const { app, state } = setup();
    const car = await createCar(app);
    await deliver(app, 'ReservationCancelled', { ...reservation(car.id, 'res-1'), status: 'cancelled', version: 2 });
    await deliver(app, 'ReservationConfirmed', reservation(car.id, 'res-1'));
    expect(state.eventsOf('RentcarReserved')).toEqual([]);
    expect(state.eventsOf('RentcarReleased')).toHaveLength(1);
    expect((await hold(app, car.id, 'res-2')).status).toBe(201);
  });

  it('when a reservation has no car, then rentcar does nothing', async () => {
    const { app, state } = setup();
    await createCar(app);
    expect((await deliver(app, 'ReservationConfirmed', reservation(null, 'res-1'))).body).toEqual({ status: 'SUCCESS' });
    expect(state.published.map((e) => e.type)).toEqual(['RentcarRegistered']);
  });
});

const CARS: ListingUnderTest = {
  noun: 'car',
  path: '/rentcars',
  notFoundCode: 'CAR_NOT_FOUND',
  registeredEvent: 'RentcarRegistered',
  unavailableCode: 'CAR_UNAVAILABLE',
  hasReservationsCode: 'CAR_HAS_RESERVATIONS',
  newListing: newCar,
  patch: { seats: 9 },
  setup,
};
describeListingOwnership(CARS);
describeListingHolds(CARS);

describe('conventions (API.md): text, the booking horizon, path ids', () => {
  it('when model or city hold a control character, then 400 VALIDATION_FAILED naming it (POST and PATCH)', async () => {
    const { app, state } = setup();
    const car = await createCar(app);
    for (const [field, change] of [
      ['model', { model: 'Ioniq\u00005' }],
      ['city', { city: 'Je\nju' }],
      ['model', { model: 'Ioniq\u007f' }],
    ] as const) {
      for (const res of [
        await request(app)
          .post('/rentcars')
          .set(HOST)
          .send({ ...newCar, ...change }),
        await request(app).patch(`/rentcars/${car.id}`).set(HOST).send(change),
      ]) {
        expect([res.status, res.body.error.details]).toEqual([400, [{ field, reason: 'holds a control character' }]]);
      }
    }
    expect(state.published).toHaveLength(1);
  });

  it('when checkIn is before today (UTC) or more than 500 days ahead, then availability is 400 on checkIn with the stay rule of POST /reservations', async () => {
    const { app } = setup(); // today is 2030-01-01
    const car = await createCar(app);
    const ask = (checkIn: string, checkOut: string) =>
      request(app).get(`/rentcars/${car.id}/availability?checkIn=${checkIn}&checkOut=${checkOut}`);
    const past = await ask('2029-12-31', '2030-01-02');
    expect([past.status, past.body.error.message, past.body.error.details]).toEqual([
      400,
      'The dates are not a valid stay.',
      [{ field: 'checkIn', reason: 'must be today (UTC) or later' }],
    ]);
    expect((await ask('2031-05-17', '2031-05-18')).body.error.details).toEqual([
      { field: 'checkIn', reason: 'must be at most 500 days ahead' },
    ]);
    expect((await ask('2030-01-01', '2030-01-02')).status).toBe(200);
    expect((await ask('2031-05-16', '2031-05-17')).status).toBe(200);
  });

  it('when a path id is not a client id (NUL, encoded slash, too long), then 404 CAR_NOT_FOUND and no state is read', async () => {
    const { app, state } = setup();
    const read: string[] = [];
    const getState = state.getState.bind(state);
    state.getState = async <T>(key: string) => {
      read.push(key);
      return getState<T>(key);
    };
    for (const id of ['%00', 'car%00x', 'a%2Fb', 'x'.repeat(101)]) {
      for (const res of [
        await request(app).get(`/rentcars/${id}`),
        await request(app).patch(`/rentcars/${id}`).set(HOST).send({ seats: 2 }),
        await request(app).delete(`/rentcars/${id}`).set(HOST),
        await request(app).get(`/rentcars/${id}/availability?checkIn=2030-02-01&checkOut=2030-02-02`),
      ]) {
        expect([id, res.status, res.body.error.code]).toEqual([id, 404, 'CAR_NOT_FOUND']);
      }
    }
    expect(read).toEqual([]);
  });
});
