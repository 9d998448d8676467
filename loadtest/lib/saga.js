// The reservation saga as the `reserve` and `lag` scenarios drive it: many rooms, each with its
// own car, and request number k goes to room k mod R for the night floor(k / R). So no two
// requests overlap on a room or a car: they should all be confirmed. Request k is made by guest
// k mod G (users signed up in setup), so the load is spread evenly over the guests' rate limits.
import { check } from 'k6';
import { bodyOf, call, createCars, createRooms, firstDay, reservationBody, signUpUsers, stay } from './staycar.js';

/** Hosts that own the rooms and cars (setup only: a few hundred creations). */
const SAGA_HOSTS = 4;

/**
 * @typedef {import('./staycar.js').User} User
 * @typedef {{run: string, from: string, rooms: string[], cars: string[], guests: User[]}} SagaFixtures
 */

/**
 * Signs up SAGA_HOSTS hosts and `guests` guests, and creates `count` rooms and as many cars for
 * this run (room i and car i belong to host i mod SAGA_HOSTS).
 * @param {string} run
 * @param {number} count
 * @param {number} guests
 * @param {{withCar?: boolean}} [options] withCar false: rooms only (the `reserve-room` scenario)
 * @returns {SagaFixtures}
 */
export function sagaFixtures(run, count, guests, { withCar = true } = {}) {
  const hosts = signUpUsers(run, 'host', SAGA_HOSTS);
  return {
    run,
    from: firstDay(),
    rooms: createRooms(run, count, hosts),
    cars: withCar ? createCars(run, count, hosts) : [],
    guests: signUpUsers(run, 'guest', guests),
  };
}

/**
 * Reservation number `k` (unique in the scenario): room k mod R with its car, night floor(k / R),
 * by guest k mod G. Returns the response and the reservation when it was confirmed.
 * @param {SagaFixtures} data
 * @param {number} k
 * @param {string} prefix idempotency key prefix, unique per scenario
 * @param {Record<string, string>} [tags]
 */
export function reserveOne(data, k, prefix, tags) {
  const r = k % data.rooms.length;
  const night = Math.floor(k / data.rooms.length);
  const body = reservationBody(data.rooms[r], data.cars[r], stay(data.from, night, 1)); // no car when cars is empty
  const res = call('POST', '/reservations', body, {
    as: data.guests[k % data.guests.length],
    // A unique key per reservation, as a careful client sends one (and retries with it).
    headers: { 'Idempotency-Key': `${prefix}-${data.run}-${k}` },
    // 409 is "someone else holds it": not a failure of the system; counted separately.
    expected: [201, 409],
    tags,
  });
  const reservation = bodyOf(res);
  check(res, {
    'reservation confirmed (201)': (x) => x.status === 201 && reservation && reservation.status === 'confirmed',
  });
  return { res, reservation: res.status === 201 ? reservation : undefined };
}
