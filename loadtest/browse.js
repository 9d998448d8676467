// Scenario `browse`: hosts browse their one-screen view (GET /roomviews, the CQRS read model, which
// shows each host their own rooms), open rooms (GET /rooms/{id}) and search this run's city for
// rooms free on a stay (GET /search/rooms, served by the read model too). setup() signs up the hosts
// (one per VU, USERS to change) and spreads the rooms over them; pairs of requests go to the
// hosts in turn. GET /rooms/{id} and the search are public but carry the token too: anonymous calls are limited
// per client address, which one k6 machine would exhaust at once.
// Target on 2 cores: ≥ 2,000 requests/s, < 1 % failures.
//   k6 run loadtest/browse.js                        (BASE_URL, VUS=50, DURATION=60s, ROOMS=50, USERS)
import { check } from 'k6';
import exec from 'k6/execution';
import {
  call, closedScenario, createRooms, envInt, firstDay, bodyOf, rateTarget, requireHealthy, runId, signUpUsers, stay, SUMMARY_TREND_STATS,
  usersFor, vusOf,
} from './lib/staycar.js';

const VUS = 50;

export const options = {
  scenarios: { browse: closedScenario('browse', VUS) },
  summaryTrendStats: SUMMARY_TREND_STATS,
  setupTimeout: '180s',
  thresholds: Object.assign(
    {
      'http_req_failed{scenario:browse}': ['rate<0.01'],
      'http_req_duration{scenario:browse}': ['p(95)<50', 'p(99)<100'],
      checks: ['rate>0.99'],
    },
    rateTarget('http_reqs{scenario:browse}', 2000),
  ),
};

/**
 * @typedef {{run: string, city: string, first: string, rooms: string[], hosts: import('./lib/staycar.js').User[]}} BrowseData
 */

/**
 * Hosts, and rooms of this run's own city spread over them, so each host's view has something to
 * list and GET /rooms/{id} hits.
 * @returns {BrowseData}
 */
export function setup() {
  requireHealthy();
  const run = runId();
  const hosts = signUpUsers(run, 'host', usersFor(vusOf(VUS)));
  return { run, city: `k6-${run}`, first: firstDay(), rooms: createRooms(run, envInt('ROOMS', 50), hosts), hosts };
}

/** @param {BrowseData} data */
export function browse(data) {
  const i = exec.scenario.iterationInTest;
  // Each host in turn makes one of each kind of call.
  const as = data.hosts[Math.floor(i / 3) % data.hosts.length];
  if (i % 3 === 2) {
    // A stay of 1–3 nights somewhere in the next 300 days, for 1 or 2 guests, cheapest first.
    const dates = stay(data.first, i % 300, 1 + (i % 3));
    const query = `city=${encodeURIComponent(data.city)}&checkIn=${dates.checkIn}&checkOut=${dates.checkOut}&guests=${1 + (i % 2)}&limit=20`;
    const res = call('GET', `/search/rooms?${query}`, undefined, { as, tags: { name: 'GET /search/rooms' } });
    const body = bodyOf(res);
    check(res, {
      'free rooms found (200)': (r) => r.status === 200,
      'search answers rooms of the city with their total price': () =>
        Boolean(body && Array.isArray(body.items) && body.items.every((/** @type {any} */ r) => r.city === data.city && r.totalPrice === r.pricePerNight * r.nights)),
    });
  } else if (i % 3 === 0) {
    // Alternate between the host's whole view (first page) and this run's city.
    const path = i % 4 === 0 ? '/roomviews?limit=20' : `/roomviews?city=${encodeURIComponent(data.city)}&limit=20`;
    const res = call('GET', path, undefined, { as, tags: { name: 'GET /roomviews' } });
    check(res, { 'room views listed (200)': (r) => r.status === 200 });
  } else {
    const res = call('GET', `/rooms/${data.rooms[i % data.rooms.length]}`, undefined, { as });
    check(res, { 'room read (200)': (r) => r.status === 200 });
  }
}
