// Scenario `reserve`: the full saga (room hold, car hold, payment, outbox event) spread over many
// rooms so that almost every request is confirmed. Each request: its own night of its room, made
// by one of the guests signed up in setup (one per VU, USERS to change), in turn.
// Target on 2 cores: ≥ 300 confirmed/s, p99 ≤ 150 ms, no error other than an intended 409.
//   k6 run loadtest/reserve.js                       (BASE_URL, VUS=50, DURATION=60s, ROOMS=200, USERS)
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { closedScenario, envInt, rateTarget, requireHealthy, runId, SUMMARY_TREND_STATS, usersFor, vusOf } from './lib/staycar.js';
import { reserveOne, sagaFixtures } from './lib/saga.js';

const VUS = 50;

const confirmed = new Counter('reservations_confirmed');
const unavailable = new Counter('reservations_409');
const unexpected = new Counter('reservations_unexpected');

export const options = {
  scenarios: { reserve: closedScenario('reserve', VUS) },
  summaryTrendStats: SUMMARY_TREND_STATS,
  setupTimeout: '180s',
  thresholds: Object.assign(
    {
      'http_req_failed{scenario:reserve}': ['rate<0.01'],
      'http_req_duration{scenario:reserve}': ['p(95)<100', 'p(99)<150'],
      reservations_unexpected: ['count==0'],
    },
    rateTarget('reservations_confirmed', 300),
  ),
};

/** This run's hosts, rooms and cars (ROOMS of each, default 200) and guests, through the public API. */
export function setup() {
  requireHealthy();
  return sagaFixtures(runId(), envInt('ROOMS', 200), usersFor(vusOf(VUS)));
}

/** @param {import('./lib/saga.js').SagaFixtures} data */
export function reserve(data) {
  const { res } = reserveOne(data, exec.scenario.iterationInTest, 'guest');
  if (res.status === 201) confirmed.add(1);
  else if (res.status === 409) unavailable.add(1);
  else unexpected.add(1, { status: String(res.status) });
}
