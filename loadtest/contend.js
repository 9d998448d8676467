// Scenario `contend`: many guests race for a few rooms and a few fixed stays, so nearly every
// request is a fast 409 ROOM_UNAVAILABLE. The guests are real users signed up in setup (GUESTS,
// default one per VU); request k is made by guest k mod GUESTS. Afterwards (teardown) it reads
// every guest's own reservations back through the API with that guest's token and checks that
// every (room, stay) was won exactly once: first-write-wins on the room's calendar really holds.
//   k6 run loadtest/contend.js                       (BASE_URL, VUS=50, DURATION=60s, ROOMS=5, SLOTS=4, GUESTS=VUS)
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import {
  call, closedScenario, createRooms, envInt, firstDay, listAll, requireHealthy, reservationBody, runId, signUpUsers, stay,
  SUMMARY_TREND_STATS, usersFor, vusOf, waitUntil,
} from './lib/staycar.js';

const VUS = 50;

const won = new Counter('contend_confirmed');
const lost = new Counter('contend_409');
const unexpected = new Counter('contend_unexpected');
const violations = new Counter('contend_invariant_violations');

export const options = {
  scenarios: { contend: closedScenario('contend', VUS) },
  summaryTrendStats: SUMMARY_TREND_STATS,
  setupTimeout: '180s',
  teardownTimeout: '120s',
  thresholds: {
    // 201 and 409 are both correct answers here; anything else is a failure.
    'http_req_failed{scenario:contend}': ['rate<0.01'],
    'http_req_duration{scenario:contend}': ['p(95)<50', 'p(99)<100'],
    contend_unexpected: ['count==0'],
    contend_invariant_violations: ['count==0'],
  },
};

const NIGHTS = 2;

/**
 * @typedef {import('./lib/staycar.js').User} User
 * @typedef {{run: string, from: string, rooms: string[], slots: number, guests: User[]}} ContendData
 */

/** @returns {ContendData} */
export function setup() {
  requireHealthy();
  const run = runId();
  const [host] = signUpUsers(run, 'host', 1);
  return {
    run,
    from: firstDay(),
    rooms: createRooms(run, envInt('ROOMS', 5), [host]),
    slots: envInt('SLOTS', 4),
    guests: signUpUsers(run, 'rival', usersFor(vusOf(VUS), 'GUESTS')),
  };
}

/**
 * Slot s of a room is the stay [s·NIGHTS, (s+1)·NIGHTS) from the run's first day: the slots never
 * overlap each other.
 * @param {ContendData} data
 * @param {number} s
 */
function slotStay(data, s) {
  return stay(data.from, s * NIGHTS, NIGHTS);
}

/** @param {ContendData} data */
export function contend(data) {
  const k = exec.scenario.iterationInTest;
  const room = data.rooms[k % data.rooms.length];
  const slot = Math.floor(k / data.rooms.length) % data.slots;
  const res = call('POST', '/reservations', reservationBody(room, null, slotStay(data, slot)), {
    as: data.guests[k % data.guests.length],
    expected: [201, 409],
  });
  check(res, { '201 or 409': (r) => r.status === 201 || r.status === 409 });
  if (res.status === 201) won.add(1);
  else if (res.status === 409) lost.add(1);
  else unexpected.add(1, { status: String(res.status) });
}

/**
 * Exactly one confirmed reservation per (room, stay), read back with GET /reservations (the
 * caller's own) as every guest that took part: a reservation is seen only by its guest.
 * @param {ContendData} data
 */
export function teardown(data) {
  /** @type {Record<string, number>} */
  let counts = {};
  const tally = () => {
    counts = {};
    for (const guest of data.guests) {
      for (const r of listAll('/reservations', guest)) {
        if (r.status !== 'confirmed') continue;
        const key = `${r.roomId} ${r.checkIn}..${r.checkOut}`;
        counts[key] = (counts[key] || 0) + 1;
      }
    }
    // Done when every slot has a winner (a reservation list may trail its writes a little).
    return data.rooms.every((room) => {
      for (let s = 0; s < data.slots; s++) {
        const { checkIn, checkOut } = slotStay(data, s);
        if (!counts[`${room} ${checkIn}..${checkOut}`]) return false;
      }
      return true;
    });
  };
  waitUntil(tally, 30000, 1000);
  let bad = 0;
  for (const room of data.rooms) {
    for (let s = 0; s < data.slots; s++) {
      const { checkIn, checkOut } = slotStay(data, s);
      const n = counts[`${room} ${checkIn}..${checkOut}`] || 0;
      if (n !== 1) {
        bad++;
        console.error(`room ${room} ${checkIn}..${checkOut}: ${n} confirmed reservations, expected exactly 1`);
      }
    }
  }
  // A confirmed reservation on one of our rooms outside the slots would mean an overlap slipped through.
  const expected = data.rooms.length * data.slots;
  const total = Object.keys(counts).reduce((sum, key) => sum + counts[key], 0);
  if (total !== expected) {
    bad++;
    console.error(`${total} confirmed reservations in all, expected ${expected}`);
  }
  violations.add(bad);
  check(bad, { 'exactly one confirmed reservation per (room, stay)': (n) => n === 0 });
}
