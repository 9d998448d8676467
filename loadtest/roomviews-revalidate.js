// Scenario `roomviews-revalidate`: what a polling client (the dashboard polls every 2 s) costs when
// nothing changed. setup() signs up the hosts, spreads rooms over them and keeps the ETag of each
// host's GET /roomviews?limit=20 once it stops changing (the view is built from events); each
// request then sends it as If-None-Match and gets 304 without a body.
// Target on 2 cores: ≥ 1,500 requests/s, < 1 % failures.
//   k6 run loadtest/roomviews-revalidate.js          (BASE_URL, VUS=50, DURATION=60s, ROOMS=50, USERS)
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import {
  call, closedScenario, createRooms, envInt, rateTarget, requireHealthy, runId, signUpUsers, SUMMARY_TREND_STATS, usersFor, vusOf,
} from './lib/staycar.js';

const VUS = 50;

export const options = {
  scenarios: { revalidate: closedScenario('revalidate', VUS) },
  summaryTrendStats: SUMMARY_TREND_STATS,
  setupTimeout: '180s',
  thresholds: Object.assign(
    {
      'http_req_failed{scenario:revalidate}': ['rate<0.01'],
      'http_req_duration{scenario:revalidate}': ['p(95)<50', 'p(99)<100'],
      checks: ['rate>0.99'],
    },
    rateTarget('http_reqs{scenario:revalidate}', 1500),
  ),
};

/** @param {import('k6/http').RefinedResponse<any>} res */
const etagOf = (res) => {
  const name = Object.keys(res.headers || {}).find((k) => k.toLowerCase() === 'etag');
  return name === undefined ? undefined : res.headers[name];
};

/** @typedef {{hosts: import('./lib/staycar.js').User[], tags: (string | undefined)[]}} RevalidateData */

/** @returns {RevalidateData} */
export function setup() {
  requireHealthy();
  const run = runId();
  const hosts = signUpUsers(run, 'host', usersFor(vusOf(VUS)));
  createRooms(run, envInt('ROOMS', 50), hosts);
  /** @type {(string | undefined)[]} */
  let tags = [];
  for (let round = 0; round < 20; round++) {
    const now = hosts.map((as) => etagOf(call('GET', '/roomviews?limit=20', undefined, { as })));
    const settled = round > 0 && now.every((tag, i) => tag === tags[i]);
    tags = now;
    if (settled) break;
    sleep(0.5);
  }
  return { hosts, tags };
}

/** @param {RevalidateData} data */
export function revalidate(data) {
  const i = exec.scenario.iterationInTest % data.hosts.length;
  const tag = data.tags[i];
  const res = call('GET', '/roomviews?limit=20', undefined, { as: data.hosts[i], headers: tag ? { 'If-None-Match': tag } : {}, expected: [304] });
  check(res, { 'view unchanged (304)': (r) => r.status === 304 });
}
