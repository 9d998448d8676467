// Scenario `roomviews`: hosts read their one-screen view (GET /roomviews?limit=20, the CQRS read
// model) and nothing else — the read path of issue 15 alone, every answer a full 200 (no
// If-None-Match). setup() signs up the hosts (one per VU, USERS to change) and spreads the rooms
// over them; requests go to the hosts in turn.
// Target on 2 cores: ≥ 1,500 requests/s, < 1 % failures.
//   k6 run loadtest/roomviews.js                     (BASE_URL, VUS=50, DURATION=60s, ROOMS=50, USERS)
import { check } from 'k6';
import exec from 'k6/execution';
import {
  call, closedScenario, createRooms, envInt, rateTarget, requireHealthy, runId, signUpUsers, SUMMARY_TREND_STATS, usersFor, vusOf,
} from './lib/staycar.js';

const VUS = 50;

export const options = {
  scenarios: { roomviews: closedScenario('roomviews', VUS) },
  summaryTrendStats: SUMMARY_TREND_STATS,
  setupTimeout: '180s',
  thresholds: Object.assign(
    {
      'http_req_failed{scenario:roomviews}': ['rate<0.01'],
      'http_req_duration{scenario:roomviews}': ['p(95)<50', 'p(99)<100'],
      checks: ['rate>0.99'],
    },
    rateTarget('http_reqs{scenario:roomviews}', 1500),
  ),
};

/** @typedef {{hosts: import('./lib/staycar.js').User[]}} ViewData */

/** @returns {ViewData} */
export function setup() {
  requireHealthy();
  const run = runId();
  const hosts = signUpUsers(run, 'host', usersFor(vusOf(VUS)));
  createRooms(run, envInt('ROOMS', 50), hosts);
  return { hosts };
}

/** @param {ViewData} data */
export function roomviews(data) {
  const as = data.hosts[exec.scenario.iterationInTest % data.hosts.length];
  const res = call('GET', '/roomviews?limit=20', undefined, { as });
  check(res, { 'room views listed (200)': (r) => r.status === 200 });
}
