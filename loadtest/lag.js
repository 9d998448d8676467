// Scenario `lag`: while `reserve` load runs, a sampler makes its own reservations and measures the
// time from the 201 to the reservation appearing in GET /roomviews/{roomId} (the read model, fed
// only by events: Dapr's outbox, Redis Streams, the viewpage consumer). Reports view_lag_ms.
// Users (setup): the saga's hosts and guests as in `reserve`, plus a sampler guest who books the
// sampler's own rooms and the sampler host who owns them (a room's view is shown to its host only).
// The Redis Streams consumer lag of the topic is not reachable from stock k6: check it afterwards
// with `redis-cli XINFO GROUPS <topic>` for each family topic (lag 0 and pending 0 for every group), or run
// `npm run bench -- --scenario lag`, which does both.
//   k6 run loadtest/lag.js                           (BASE_URL, VUS=50, DURATION=60s, ROOMS=200, SAMPLE_ROOMS=20, USERS)
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import {
  bodyOf, call, closedScenario, createRooms, envInt, requireHealthy, reservationBody, runId, signUpUsers, stay, SUMMARY_TREND_STATS,
  usersFor, vusOf, waitUntil,
} from './lib/staycar.js';
import { reserveOne, sagaFixtures } from './lib/saga.js';

const VUS = 50;

const viewLag = new Trend('view_lag_ms', true);
const viewTimeouts = new Counter('view_lag_timeouts');
const unexpected = new Counter('reservations_unexpected');

const POLL_MS = 50;

export const options = {
  scenarios: {
    reserve: closedScenario('reserve', VUS),
    // One sampler at a time: each iteration waits for its reservation to reach the view.
    sample: Object.assign(closedScenario('sample', 1), { vus: 1 }),
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
  setupTimeout: '180s',
  thresholds: {
    'http_req_failed{scenario:reserve}': ['rate<0.01'],
    'http_req_duration{scenario:reserve}': ['p(99)<150'],
    reservations_unexpected: ['count==0'],
    // Dapr's outbox alone adds about a second before an event leaves.
    view_lag_ms: ['p(50)<3000', 'p(99)<10000'],
    view_lag_timeouts: ['count==0'],
  },
};

/**
 * @typedef {import('./lib/staycar.js').User} User
 * @typedef {import('./lib/saga.js').SagaFixtures & {sampleRooms: string[], sampleHost: User, sampleGuest: User}} LagData
 */

/** @returns {LagData} */
export function setup() {
  requireHealthy();
  const run = runId();
  const fixtures = sagaFixtures(run, envInt('ROOMS', 200), usersFor(vusOf(VUS)));
  // The sampler's own rooms, so its stays never meet the load's; its host polls their view.
  const [sampleHost, sampleGuest] = signUpUsers(`${run}s`, 'sampler', 2);
  return Object.assign(fixtures, { sampleRooms: createRooms(`${run}s`, envInt('SAMPLE_ROOMS', 20), [sampleHost]), sampleHost, sampleGuest });
}

/** @param {LagData} data */
export function reserve(data) {
  const { res } = reserveOne(data, exec.scenario.iterationInTest, 'guest');
  if (res.status !== 201 && res.status !== 409) unexpected.add(1, { status: String(res.status) });
}

/** @param {LagData} data */
export function sample(data) {
  const k = exec.scenario.iterationInTest;
  const roomId = data.sampleRooms[k % data.sampleRooms.length];
  const night = Math.floor(k / data.sampleRooms.length);
  const res = call('POST', '/reservations', reservationBody(roomId, null, stay(data.from, night, 1)), { as: data.sampleGuest, expected: [201] });
  const reservation = bodyOf(res);
  if (!check(res, { 'sample reservation confirmed (201)': (r) => r.status === 201 }) || !reservation) return;
  const confirmedAt = Date.now();
  const seen = waitUntil(
    () => {
      const view = bodyOf(call('GET', `/roomviews/${roomId}`, undefined, { as: data.sampleHost, expected: [200, 404], tags: { phase: 'lag-probe' } }));
      return Boolean(view && (view.reservations || []).some((/** @type {any} */ r) => r.reservationId === reservation.id));
    },
    30000,
    POLL_MS,
  );
  if (seen) viewLag.add(Date.now() - confirmedAt);
  else viewTimeouts.add(1);
}
