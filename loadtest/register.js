// Scenario `register`: hosts register rooms (POST /rooms) as fast as 100 VUs can. setup() signs up
// the hosts (one per VU, USERS to change) and request i is made by host i mod USERS.
// Target on 2 cores: ≥ 900 rooms/s, p99 ≤ 50 ms, < 1 % failures.
//   k6 run loadtest/register.js                      (BASE_URL, VUS=100, DURATION=60s, USERS)
import { check } from 'k6';
import exec from 'k6/execution';
import { call, closedScenario, rateTarget, requireHealthy, runId, signUpUsers, SUMMARY_TREND_STATS, usersFor, vusOf } from './lib/staycar.js';

const VUS = 100;

export const options = {
  scenarios: { register: closedScenario('register', VUS) },
  summaryTrendStats: SUMMARY_TREND_STATS,
  // Signing up the hosts costs the identity app two password hashes each.
  setupTimeout: '180s',
  thresholds: Object.assign(
    {
      'http_req_failed{scenario:register}': ['rate<0.01'],
      'http_req_duration{scenario:register}': ['p(95)<30', 'p(99)<50'],
      checks: ['rate>0.99'],
    },
    rateTarget('http_reqs{scenario:register}', 900),
  ),
};

/**
 * @typedef {{run: string, hosts: import('./lib/staycar.js').User[]}} RegisterData
 */

/**
 * Checks the system is up, names this run's city and signs up its hosts.
 * @returns {RegisterData}
 */
export function setup() {
  requireHealthy();
  const run = runId();
  return { run, hosts: signUpUsers(run, 'host', usersFor(vusOf(VUS))) };
}

/** @param {RegisterData} data */
export function register(data) {
  const i = exec.scenario.iterationInTest;
  const res = call(
    'POST',
    '/rooms',
    { name: `k6 room ${i}`, city: `k6-${data.run}`, pricePerNight: 40000 + (i % 1000), capacity: 2 },
    { as: data.hosts[i % data.hosts.length], expected: [201] },
  );
  check(res, { 'room registered (201)': (r) => r.status === 201 });
}
