// Scenario `reserve-room`: the saga without a car (room hold, payment, outbox event), spread over
// many rooms so that almost every request is confirmed; otherwise as `reserve`.
// Target on 2 cores (issue 15): ≥ 90 confirmed/s at ≤ 20 CPU-ms each, no error other than an intended 409.
//   k6 run loadtest/reserve-room.js                  (BASE_URL, VUS=50, DURATION=60s, ROOMS=200, USERS)
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { closedScenario, envInt, rateTarget, requireHealthy, runId, SUMMARY_TREND_STATS, usersFor, vusOf } from './lib/staycar.js';
import { reserveOne, sagaFixtures } from './lib/saga.js';

const VUS = 50;

const confirmed = new Counter('reservations_confirmed');
const unavailable = new Counter('reservations_409');
const unexpected = new Counter('reservations_unexpected');

export const options = {
  scenarios: { reserve_room: closedScenario('reserveRoom', VUS) },
  summaryTrendStats: SUMMARY_TREND_STATS,
  setupTimeout: '180s',
  thresholds: Object.assign(
    {
      'http_req_failed{scenario:reserve_room}': ['rate<0.01'],
      'http_req_duration{scenario:reserve_room}': ['p(99)<150'],
      reservations_unexpected: ['count==0'],
    },
    rateTarget('reservations_confirmed', 90),
  ),
};

/** This run's hosts and rooms (ROOMS, default 200) and guests, through the public API. */
export function setup() {
  requireHealthy();
  return sagaFixtures(runId(), envInt('ROOMS', 200), usersFor(vusOf(VUS)), { withCar: false });
}

/** @param {import('./lib/saga.js').SagaFixtures} data */
export function reserveRoom(data) {
  const { res } = reserveOne(data, exec.scenario.iterationInTest, 'guest-room');
  if (res.status === 201) confirmed.add(1);
  else if (res.status === 409) unavailable.add(1);
  else unexpected.add(1, { status: String(res.status) });
}
