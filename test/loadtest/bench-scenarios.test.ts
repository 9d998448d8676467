// A check of `npm run bench`'s scenarios (scripts/lib/bench/scenarios.mjs), not a timed test:
// each runs under Node against the in-memory staycar of the k6 stand-ins (bench-stub/run-scenario.mjs)
// — prepare() and verify() through a stand-in fetch, load()'s requests built by autocannon's own
// RequestIterator — and every call is checked against the gateway's allow-list and access rules.
// No system, no network, no load.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { missingBearer, routeOf, STUB_ENV } from './gateway-routes';

const ROOT = path.resolve(__dirname, '..', '..');
const RUNNER = path.join(__dirname, 'bench-stub', 'run-scenario.mjs');
const CONNECTIONS = 10;
const REQUESTS = 200;
/** The scenarios that go through the gateway (sidecar-overhead calls one app's /healthz directly). */
const SCENARIOS = ['register', 'reserve', 'reserve-room', 'contend', 'browse', 'roomviews', 'roomviews-revalidate', 'lag'];

interface Call {
  phase: 'prepare' | 'load' | 'verify';
  source: 'fetch' | 'autocannon';
  method: string;
  url: string;
  authorization: string | null;
}
interface ScenarioRun {
  calls: Call[];
  statuses: Record<string, number>;
  checks: { name: string; ok: boolean; detail: string }[];
  logs: string[];
}

function runScenario(name: string): ScenarioRun {
  const res = spawnSync(process.execPath, [RUNNER, name], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...STUB_ENV, CONNECTIONS: String(CONNECTIONS), REQUESTS: String(REQUESTS) },
  });
  if (res.status !== 0) throw new Error(`bench scenario ${name} failed against the stand-in (exit ${res.status}):\n${res.stderr}`);
  return JSON.parse(res.stdout) as ScenarioRun;
}

const pathOf = (c: Call) => new URL(c.url).pathname;

describe("npm run bench's scenarios against the in-memory staycar", () => {
  const runs = new Map<string, ScenarioRun>();
  beforeAll(() => {
    for (const name of SCENARIOS) runs.set(name, runScenario(name));
  }, 120_000);

  it.each(SCENARIOS)('when %s runs, then prepare, load and verify complete and every check holds', (name) => {
    const run = runs.get(name)!;
    expect(run.checks.filter((c) => !c.ok)).toEqual([]);
    expect(run.logs.filter((l) => l.startsWith('error') || l.startsWith('warn'))).toEqual([]);
    expect(Object.values(run.statuses).reduce((a, b) => a + b, 0)).toBe(REQUESTS);
  });

  it.each(SCENARIOS)(
    'when %s calls the gateway, then every call is on its allow-list and every protected one carries a bearer token',
    (name) => {
      const calls = runs.get(name)!.calls;
      expect([...new Set(calls.filter((c) => !routeOf(c.method, pathOf(c))).map((c) => `${c.method} ${pathOf(c)}`))]).toEqual([]);
      expect([...new Set(calls.map((c) => missingBearer(c.method, pathOf(c), c.authorization)).filter((why) => why !== null))]).toEqual([]);
    },
  );

  it.each(SCENARIOS)('when %s puts load on the system, then every request carries a token, public reads too', (name) => {
    // Anonymous calls count against the client address: one bench machine would exhaust it at once.
    const anonymous = runs.get(name)!.calls.filter((c) => c.phase === 'load' && c.authorization === null);
    expect(anonymous.map((c) => `${c.method} ${pathOf(c)}`)).toEqual([]);
  });

  it.each(SCENARIOS)('when %s prepares, then it signs up its users and gets their tokens first (and only then)', (name) => {
    const calls = runs.get(name)!.calls;
    const auth = calls.filter((c) => pathOf(c).startsWith('/auth/'));
    expect(auth.length).toBeGreaterThan(0);
    expect(auth.every((c) => c.phase === 'prepare')).toBe(true);
    expect(auth.filter((c) => pathOf(c) === '/auth/signup').length).toBe(auth.filter((c) => pathOf(c) === '/auth/token').length);
  });

  it.each(SCENARIOS)(
    'when %s spreads its load, then at least 20 users share it evenly (the gateway limits each user to 6000/min)',
    (name) => {
      const perToken = new Map<string, number>();
      for (const c of runs.get(name)!.calls.filter((x) => x.source === 'autocannon'))
        perToken.set(c.authorization!, (perToken.get(c.authorization!) ?? 0) + 1);
      expect(perToken.size).toBeGreaterThanOrEqual(20);
      expect(Math.max(...perToken.values())).toBeLessThanOrEqual(Math.ceil(REQUESTS / 20));
    },
  );

  it("when contend verifies, then it reads each guest's reservations back with that guest's token and finds one winner per stay", () => {
    const run = runs.get('contend')!;
    const reads = run.calls.filter((c) => c.phase === 'verify' && pathOf(c) === '/reservations');
    expect(new Set(reads.map((c) => c.authorization)).size).toBe(20);
    expect(run.checks.map((c) => [c.ok, c.detail])).toEqual([
      [true, 'none'],
      [true, '20 confirmed for 20 stays'],
      [true, '20 × 201 for 20 stays'],
    ]);
    expect(run.statuses).toEqual({ 201: 20, 409: REQUESTS - 20 });
  });

  it("when lag samples, then it polls the view as the room's host and sees the reservation", () => {
    const run = runs.get('lag')!;
    const polls = run.calls.filter((c) => c.source === 'fetch' && pathOf(c).startsWith('/roomviews/'));
    expect(polls.length).toBeGreaterThan(0);
    expect(run.checks.find((c) => c.name.startsWith('every sampled reservation'))).toMatchObject({ ok: true });
  });
});
