// The reservation saga as the `reserve` and `lag` scenarios drive it: many rooms, each with its
// own car, and request number k goes to room k mod R for the night floor(k / R). So every request
// has a unique guest and no two requests overlap on a room or a car: they should all be confirmed.
import { check } from 'k6';
import { bodyOf, call, createCars, createRooms, reservationBody, stay } from './staycar.js';

/**
 * @typedef {{run: string, rooms: string[], cars: string[]}} SagaFixtures
 */

/**
 * Creates `count` rooms and as many cars for this run.
 * @param {string} run
 * @param {number} count
 * @returns {SagaFixtures}
 */
export function sagaFixtures(run, count) {
  return { run, rooms: createRooms(run, count), cars: createCars(run, count) };
}

/**
 * Reservation number `k` (unique in the scenario): room k mod R with its car, night floor(k / R).
 * Returns the response and the reservation when it was confirmed.
 * @param {SagaFixtures} data
 * @param {number} k
 * @param {string} prefix guest id prefix, unique per scenario
 * @param {Record<string, string>} [tags]
 */
export function reserveOne(data, k, prefix, tags) {
  const r = k % data.rooms.length;
  const night = Math.floor(k / data.rooms.length);
  const body = reservationBody(`${prefix}-${data.run}-${k}`, data.rooms[r], data.cars[r], stay(night, 1));
  const res = call('POST', '/reservations', body, {
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
