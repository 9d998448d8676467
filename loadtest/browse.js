// Scenario `browse`: guests browse the one-screen view (GET /roomviews, the CQRS read model) and
// open rooms (GET /rooms/{id}). Target on 2 cores: ≥ 2,000 requests/s, < 1 % failures.
//   k6 run loadtest/browse.js                        (BASE_URL, VUS=50, DURATION=60s, ROOMS=50)
import { check } from 'k6';
import exec from 'k6/execution';
import { call, closedScenario, createRooms, envInt, rateTarget, requireHealthy, runId, SUMMARY_TREND_STATS } from './lib/staycar.js';

export const options = {
  scenarios: { browse: closedScenario('browse', 50) },
  summaryTrendStats: SUMMARY_TREND_STATS,
  thresholds: Object.assign(
    {
      'http_req_failed{scenario:browse}': ['rate<0.01'],
      'http_req_duration{scenario:browse}': ['p(95)<50', 'p(99)<100'],
      checks: ['rate>0.99'],
    },
    rateTarget('http_reqs{scenario:browse}', 2000),
  ),
};

/** Rooms of this run's own city, so the view has something to list and GET /rooms/{id} hits. */
export function setup() {
  requireHealthy();
  const run = runId();
  return { run, city: `k6-${run}`, rooms: createRooms(run, envInt('ROOMS', 50)) };
}

/** @param {{city: string, rooms: string[]}} data */
export function browse(data) {
  const i = exec.scenario.iterationInTest;
  if (i % 2 === 0) {
    // Alternate between the whole list's first page and this run's city.
    const path = i % 4 === 0 ? '/roomviews?limit=20' : `/roomviews?city=${encodeURIComponent(data.city)}&limit=20`;
    const res = call('GET', path, undefined, { tags: { name: 'GET /roomviews' } });
    check(res, { 'room views listed (200)': (r) => r.status === 200 });
  } else {
    const res = call('GET', `/rooms/${data.rooms[i % data.rooms.length]}`);
    check(res, { 'room read (200)': (r) => r.status === 200 });
  }
}
