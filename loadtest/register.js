// Scenario `register`: hosts register rooms (POST /rooms) as fast as 100 users can.
// Target on 2 cores: ≥ 900 rooms/s, p99 ≤ 50 ms, < 1 % failures.
//   k6 run loadtest/register.js                      (BASE_URL, VUS=100, DURATION=60s)
import { check } from 'k6';
import exec from 'k6/execution';
import { call, closedScenario, rateTarget, requireHealthy, runId, SUMMARY_TREND_STATS } from './lib/staycar.js';

export const options = {
  scenarios: { register: closedScenario('register', 100) },
  summaryTrendStats: SUMMARY_TREND_STATS,
  thresholds: Object.assign(
    {
      'http_req_failed{scenario:register}': ['rate<0.01'],
      'http_req_duration{scenario:register}': ['p(95)<30', 'p(99)<50'],
      checks: ['rate>0.99'],
    },
    rateTarget('http_reqs{scenario:register}', 900),
  ),
};

/** Nothing to create beforehand: checks the system is up and names this run's host and city. */
export function setup() {
  requireHealthy();
  return { run: runId() };
}

/** @param {{run: string}} data */
export function register(data) {
  const i = exec.scenario.iterationInTest;
  const res = call(
    'POST',
    '/rooms',
    { hostId: `host-${data.run}-${i % 100}`, name: `k6 room ${i}`, city: `k6-${data.run}`, pricePerNight: 40000 + (i % 1000), capacity: 2 },
    { expected: [201] },
  );
  check(res, { 'room registered (201)': (r) => r.status === 201 });
}
