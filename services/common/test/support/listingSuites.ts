import type { Express } from 'express';
import request from 'supertest';
import type { MemoryStatePort } from '../../testing';
import { as, asOperator } from './identity';
import { outcome } from './internalCalls';

/** One kind of listing as its service's unit tests set it up (room, car). */
export interface ListingUnderTest {
  /** `room`, `car`: in test names. */
  noun: string;
  /** `/rooms`, `/rentcars`. */
  path: string;
  /** `ROOM_NOT_FOUND`, `CAR_NOT_FOUND`. */
  notFoundCode: string;
  /** `RoomRegistered`, `RentcarRegistered`. */
  registeredEvent: string;
  /** A valid POST body with `hostId: 'host-1'`. */
  newListing: { hostId: string } & Record<string, unknown>;
  /** A valid PATCH body. */
  patch: Record<string, unknown>;
  /** Public reads besides the listing and its availability (room: its reviews). */
  otherPublicReads?: (id: string) => string[];
  /** `ROOM_UNAVAILABLE`, `CAR_UNAVAILABLE`. */
  unavailableCode: string;
  /** `ROOM_HAS_RESERVATIONS`, `CAR_HAS_RESERVATIONS`. */
  hasReservationsCode: string;
  /** The service's app over a fresh MemoryStatePort, its clock at 2030-01-01T00:00:00Z (`advance` moves it). */
  setup: (options?: { holdTtlSeconds?: number }) => { app: Express; state: MemoryStatePort; advance: (seconds: number) => void };
}

/**
 * API.md v2 ownership of a listing (the caller is the subject; only the host changes it), the same
 * for rooms and cars because both run on `mountListingRoutes` and `Listings` of @staycar/common:
 * one suite, run by each service's http.test.ts against its own createApp.
 */
export function describeListingOwnership(listing: ListingUnderTest): void {
  const { noun, path, notFoundCode, newListing, patch } = listing;
  const HOST = as(newListing.hostId);
  const create = async (app: Express) => {
    const res = await request(app).post(path).set(HOST).send(newListing);
    expect(res.status).toBe(201);
    return res.body as { id: string } & Record<string, unknown>;
  };

  describe(`ownership (API.md v2: the caller is the subject; only the host changes a ${noun})`, () => {
    it('when nobody is signed in, then POST, PATCH and DELETE are 401 UNAUTHENTICATED and nothing changes', async () => {
      const { app, state } = listing.setup();
      const created = await create(app);
      for (const res of [
        await request(app).post(path).send(newListing),
        await request(app).patch(`${path}/${created.id}`).send(patch),
        await request(app).delete(`${path}/${created.id}`),
        await request(app).delete(`${path}/${noun}_nope`),
      ]) {
        expect([res.status, res.body.error.code, res.headers['www-authenticate']]).toEqual([401, 'UNAUTHENTICATED', 'Bearer']);
      }
      expect(state.published.map((e) => e.type)).toEqual([listing.registeredEvent]);
    });

    it('when hostId is left out, then the caller is the host; another hostId is 403 FORBIDDEN (operators too)', async () => {
      const { app, state } = listing.setup();
      const { hostId: _omitted, ...withoutHost } = newListing;
      const mine = await request(app).post(path).set(as('host-7')).send(withoutHost);
      expect([mine.status, mine.body.hostId]).toEqual([201, 'host-7']);
      for (const who of [as('host-7'), asOperator()]) {
        const res = await request(app)
          .post(path)
          .set(who)
          .send({ ...withoutHost, hostId: newListing.hostId });
        expect([res.status, res.body.error.code]).toEqual([403, 'FORBIDDEN']);
      }
      expect(state.eventsOf(listing.registeredEvent)).toHaveLength(1);
    });

    it(`when someone else (or an operator) patches or deletes a ${noun}, then 403 FORBIDDEN and the ${noun} is unchanged`, async () => {
      const { app, state } = listing.setup();
      const created = await create(app);
      for (const who of [as('host-2'), asOperator()]) {
        const patched = await request(app).patch(`${path}/${created.id}`).set(who).send(patch);
        expect([patched.status, patched.body.error.code]).toEqual([403, 'FORBIDDEN']);
        const del = await request(app).delete(`${path}/${created.id}`).set(who);
        expect([del.status, del.body.error.code]).toEqual([403, 'FORBIDDEN']);
      }
      expect((await request(app).get(`${path}/${created.id}`)).body).toEqual(created);
      expect(state.published.map((e) => e.type)).toEqual([listing.registeredEvent]);
      expect((await request(app).patch(`${path}/${created.id}`).set(HOST).send(patch)).body).toMatchObject(patch);
      expect((await request(app).delete(`${path}/${created.id}`).set(HOST)).status).toBe(204);
    });

    it(`when someone else patches or deletes a ${noun} that does not exist, then still 404 ${notFoundCode}`, async () => {
      const { app } = listing.setup();
      for (const who of [as('anyone'), as('host-2')]) {
        expect((await request(app).patch(`${path}/${noun}_nope`).set(who).send(patch)).body.error.code).toBe(notFoundCode);
        expect((await request(app).delete(`${path}/${noun}_nope`).set(who)).body.error.code).toBe(notFoundCode);
      }
    });

    it(`when nobody is signed in, then the public reads answer: the ${noun}, its availability${listing.otherPublicReads ? ' and the rest' : ''}`, async () => {
      const { app } = listing.setup();
      const created = await create(app);
      for (const url of [
        `${path}/${created.id}`,
        `${path}/${created.id}/availability?checkIn=2030-02-01&checkOut=2030-02-03`,
        ...(listing.otherPublicReads?.(created.id) ?? []),
      ]) {
        expect([url, (await request(app).get(url)).status]).toEqual([url, 200]);
      }
    });
  });
}

/**
 * The saga's holds of a listing (internal routes, docs/contracts.md) and what they do to a delete:
 * the same for rooms and cars (`mountHoldRoutes`, `ListingStays`, `BookableCalendar` of
 * @staycar/common), run by each service against its own createApp. What differs (the Hold's
 * fields, the events a car publishes) stays in the service's own tests.
 */
export function describeListingHolds(listing: ListingUnderTest): void {
  const { noun, path, newListing } = listing;
  const HOST = as(newListing.hostId);
  const create = async (app: Express) => {
    const res = await request(app).post(path).set(HOST).send(newListing);
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  const holds = (id: string) => `/internal${path}/${id}/holds`;
  const hold = (app: Express, id: string, reservationId: string) =>
    request(app).post(holds(id)).send({ reservationId, guestId: 'guest-1', checkIn: '2030-02-01', checkOut: '2030-02-03' }).then(outcome);

  describe(`the saga's holds of a ${noun}`, () => {
    it(`when holds of the same dates race, then exactly one 201 and the rest 409 ${listing.unavailableCode}`, async () => {
      const { app } = listing.setup();
      const created = await create(app);
      const answers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((r) => hold(app, created.id, `res-${r}`)));
      expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
      const lost = answers.filter((a) => a.status !== 201);
      expect(lost.map((a) => [a.status, a.body.error.code])).toEqual(Array(4).fill([409, listing.unavailableCode]));
    });

    it('when a hold is not confirmed within HOLD_TTL_SECONDS, then it stops blocking', async () => {
      const { app, advance } = listing.setup({ holdTtlSeconds: 60 });
      const created = await create(app);
      expect((await hold(app, created.id, 'res-1')).status).toBe(201);
      expect((await hold(app, created.id, 'res-2')).status).toBe(409);
      advance(61);
      expect((await hold(app, created.id, 'res-2')).status).toBe(201);
    });

    it('when a hold is released, then 204 and the dates are free; releasing again is 204 too', async () => {
      const { app } = listing.setup();
      const created = await create(app);
      await hold(app, created.id, 'res-1');
      expect((await request(app).delete(`${holds(created.id)}/res-1`)).status).toBe(204);
      expect((await request(app).delete(`${holds(created.id)}/res-1`)).status).toBe(204);
      expect((await hold(app, created.id, 'res-2')).status).toBe(201);
    });

    it('when a hold is confirmed, then 200 booked (idempotent); without a hold, 404', async () => {
      const { app } = listing.setup();
      const created = await create(app);
      await hold(app, created.id, 'res-1');
      const confirm = () => request(app).post(`${holds(created.id)}/res-1/confirm`);
      const first = await confirm();
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ status: 'booked', expiresAt: null, nights: 2 });
      expect((await confirm()).body).toEqual(first.body);
      expect((await request(app).post(`${holds(created.id)}/res-none/confirm`)).status).toBe(404);
    });

    it(`when the ${noun} has an upcoming confirmed booking, or a live hold, then DELETE is 409 ${listing.hasReservationsCode}; a released hold does not stop it`, async () => {
      const { app } = listing.setup();
      const booked = await create(app);
      await hold(app, booked.id, 'res-1');
      expect((await request(app).post(`${holds(booked.id)}/res-1/confirm`)).status).toBe(200);
      const res = await request(app).delete(`${path}/${booked.id}`).set(HOST);
      expect([res.status, res.body.error.code]).toEqual([409, listing.hasReservationsCode]);
      expect((await request(app).get(`${path}/${booked.id}`)).status).toBe(200);

      // A hold may belong to a reservation already answered 201 (its ReservationConfirmed not yet here).
      const heldOnly = await create(app);
      await hold(app, heldOnly.id, 'res-2');
      const whileHeld = await request(app).delete(`${path}/${heldOnly.id}`).set(HOST);
      expect([whileHeld.status, whileHeld.body.error.code]).toEqual([409, listing.hasReservationsCode]);
      expect((await request(app).delete(`${holds(heldOnly.id)}/res-2`)).status).toBe(204);
      expect((await request(app).delete(`${path}/${heldOnly.id}`).set(HOST)).status).toBe(204);
    });
  });
}
