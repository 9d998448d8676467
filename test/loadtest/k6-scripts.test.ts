// A check of the k6 scripts in loadtest/ (not a timed test: nothing here measures anything).
// Each script runs under Node with stand-ins for the k6 modules (test/loadtest/k6-stub/), which
// fails on a syntax error, runs setup/iterations/teardown against an in-memory staycar that keeps
// the gateway's access rules, and records every HTTP call with its Authorization header.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { missingBearer, routeOf, STUB_ENV } from './gateway-routes';

const ROOT = path.resolve(__dirname, '..', '..');
const LOADTEST = path.join(ROOT, 'loadtest');
const STUB = path.join(__dirname, 'k6-stub');
const BASES = { gateway: 'http://gateway.k6-check', app: 'http://app.k6-check', sidecar: 'http://sidecar.k6-check' };

interface ScriptRun {
  exports: string[];
  options: { thresholds?: Record<string, unknown>; scenarios?: Record<string, { exec?: string }> };
  calls: { method: string; url: string; scenario: string; authorization: string | null }[];
  metrics: Record<string, { count: number; sum: number }>;
  checks: { passes: number; fails: Record<string, number> };
  logs: string[];
  summaryKeys: string[] | null;
  problems: string[];
}

function runScript(file: string): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, ['--import', path.join(STUB, 'register.mjs'), path.join(STUB, 'run-script.mjs'), file], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...STUB_ENV },
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

const scripts = fs
  .readdirSync(LOADTEST)
  .filter((f) => f.endsWith('.js'))
  .sort();

const appIds = (parse(fs.readFileSync(path.join(ROOT, 'dapr.yaml'), 'utf8')) as { apps: { appID: string }[] }).apps.map((a) => a.appID);

/** Why a call is not allowed, or null: gateway calls must be routes of its allow-list; app/sidecar calls only the trivial /healthz. */
function whyNotAllowed(method: string, url: string): string | null {
  const u = new URL(url);
  const base = `${u.protocol}//${u.host}`;
  if (base === BASES.gateway)
    return routeOf(method, u.pathname) ? null : `${method} ${u.pathname} is not a route of the gateway's allow-list`;
  if (base === BASES.app)
    return method === 'GET' && u.pathname === '/healthz' ? null : `${method} ${u.pathname} on an app port (only GET /healthz)`;
  if (base === BASES.sidecar) {
    const m = /^\/v1\.0\/invoke\/([^/]+)\/method(\/.*)$/.exec(u.pathname);
    if (!m) return `${u.pathname} on a sidecar is not service invocation`;
    if (!appIds.includes(m[1])) return `sidecar invokes unknown app ${m[1]}`;
    return method === 'GET' && m[2] === '/healthz' ? null : `sidecar invocation of ${method} ${m[2]} (only GET /healthz)`;
  }
  return `call to ${base}, which is none of BASE_URL, APP_URL, SIDECAR_URL`;
}

/** Why a call lacks the token it needs, or null: a protected route of the gateway needs `Authorization: Bearer <token>`. */
function whyUnauthenticated(call: { method: string; url: string; authorization: string | null }): string | null {
  const u = new URL(call.url);
  return `${u.protocol}//${u.host}` === BASES.gateway ? missingBearer(call.method, u.pathname, call.authorization) : null;
}

describe('the k6 scripts in loadtest/', () => {
  const runs = new Map<string, ScriptRun>();
  beforeAll(() => {
    for (const file of scripts) {
      const { status, stdout, stderr } = runScript(path.join(LOADTEST, file));
      if (status !== 0) throw new Error(`${file} failed under the k6 stand-ins (exit ${status}):\n${stderr}`);
      runs.set(file, JSON.parse(stdout) as ScriptRun);
    }
  }, 120_000);

  it('when the bench and loadtest/ are compared, then they cover the same scenario names', () => {
    const bench = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'bench.mjs'), '--list'], { encoding: 'utf8' });
    expect(bench.status).toBe(0);
    const names = (JSON.parse(bench.stdout) as string[]).sort();
    expect(scripts.map((f) => f.replace(/\.js$/, '')).sort()).toEqual(names);
    expect(names).toEqual([
      'browse',
      'contend',
      'lag',
      'register',
      'reserve',
      'reserve-room',
      'roomviews',
      'roomviews-revalidate',
      'sidecar-overhead',
    ]);
  });

  it.each(scripts)('when %s runs with the k6 stand-ins, then setup, every scenario and teardown complete', (file) => {
    const run = runs.get(file)!;
    expect(run.problems).toEqual([]);
    expect(run.exports).toEqual(expect.arrayContaining(['options', 'setup']));
    expect(Object.keys(run.options.scenarios ?? {}).length).toBeGreaterThan(0);
    expect(run.checks.fails).toEqual({});
    expect(run.logs.filter((l) => l.startsWith('error'))).toEqual([]);
  });

  it.each(scripts)('when %s is read, then it has thresholds, each a non-empty list of conditions', (file) => {
    const thresholds = runs.get(file)!.options.thresholds ?? {};
    expect(Object.keys(thresholds).length).toBeGreaterThan(0);
    for (const [metric, conditions] of Object.entries(thresholds)) {
      expect([metric, Array.isArray(conditions) && conditions.length > 0 && conditions.every((c) => typeof c === 'string')]).toEqual([
        metric,
        true,
      ]);
    }
    // Every script bounds failures and latency.
    expect(Object.keys(thresholds).some((m) => m.startsWith('http_req_failed'))).toBe(true);
    expect(Object.keys(thresholds).some((m) => m.startsWith('http_req_duration'))).toBe(true);
  });

  it.each(scripts)(
    "when %s calls the system, then every URL is a route of the gateway's allow-list (or the health probe it measures)",
    (file) => {
      const run = runs.get(file)!;
      expect(run.calls.length).toBeGreaterThan(0);
      const bad = [...new Set(run.calls.map((c) => whyNotAllowed(c.method, c.url)).filter((why) => why !== null))];
      expect(bad).toEqual([]);
    },
  );

  it.each(scripts)('when %s calls a protected route, then it sends Authorization: Bearer <token>', (file) => {
    const bad = [
      ...new Set(
        runs
          .get(file)!
          .calls.map(whyUnauthenticated)
          .filter((why) => why !== null),
      ),
    ];
    expect(bad).toEqual([]);
  });

  it('when the scripts call the gateway, then every call but sign-up, sign-in and the health probe carries a token', () => {
    // Public reads too: anonymous calls count against the client address, which one load machine would exhaust.
    for (const file of scripts.filter((f) => f !== 'sidecar-overhead.js')) {
      const anonymous = runs
        .get(file)!
        .calls.filter((c) => c.url.startsWith(BASES.gateway) && c.authorization === null)
        .map((c) => `${c.method} ${new URL(c.url).pathname}`)
        .filter((c) => !['POST /auth/signup', 'POST /auth/token', 'GET /healthz'].includes(c));
      expect([file, [...new Set(anonymous)]]).toEqual([file, []]);
    }
  });

  it('when the scripts set up, then they sign up their users, get tokens, and create their data through the public API in setup', () => {
    for (const file of scripts.filter((f) => f !== 'sidecar-overhead.js')) {
      const setupCalls = runs
        .get(file)!
        .calls.filter((c) => c.scenario === 'setup' && c.method === 'POST')
        .map((c) => new URL(c.url).pathname);
      expect([file, setupCalls.includes('/auth/signup'), setupCalls.includes('/auth/token')]).toEqual([file, true, true]);
      // Nothing but sign-up and sign-in outside setup.
      const later = runs.get(file)!.calls.filter((c) => c.scenario !== 'setup' && c.url.includes('/auth/'));
      expect([file, later]).toEqual([file, []]);
    }
    for (const file of ['reserve.js', 'contend.js', 'browse.js', 'lag.js']) {
      const setupCalls = runs.get(file)!.calls.filter((c) => c.scenario === 'setup' && c.method === 'POST');
      expect([file, setupCalls.some((c) => c.url.endsWith('/rooms'))]).toEqual([file, true]);
    }
    expect(runs.get('reserve.js')!.calls.some((c) => c.scenario === 'setup' && c.url.endsWith('/rentcars'))).toBe(true);
  });

  it('when the load is spread over users, then no user carries more than its share (the gateway limits each user)', () => {
    // Tokens are per user here (the stand-in makes one per sign-in), so calls per token = calls per
    // user. Not lag's sampler: one VU polling its own room's view every 50 ms (≤ 20/s) as its host.
    for (const file of ['register.js', 'reserve.js', 'contend.js', 'browse.js', 'lag.js']) {
      const perToken = new Map<string, number>();
      const load = runs.get(file)!.calls.filter((c) => !['setup', 'teardown', 'sample'].includes(c.scenario) && c.authorization !== null);
      for (const c of load) perToken.set(c.authorization!, (perToken.get(c.authorization!) ?? 0) + 1);
      // 40 iterations per scenario under the stand-ins, and at least 20 users: no token more than a few calls.
      expect([file, perToken.size >= 2, Math.max(...perToken.values()) <= Math.max(4, Math.ceil(load.length / 10))]).toEqual([
        file,
        true,
        true,
      ]);
    }
  });

  it('when contend runs against a correct system (the stand-in), then its invariant check finds no violation and sees winners and losers', () => {
    const m = runs.get('contend.js')!.metrics;
    expect(m.contend_invariant_violations).toEqual({ count: 1, sum: 0 });
    expect(m.contend_confirmed.sum).toBeGreaterThan(0);
    expect(m.contend_409.sum).toBeGreaterThan(0);
  });

  it('when lag samples reservations, then it records the view lag for each', () => {
    const m = runs.get('lag.js')!.metrics;
    expect(m.view_lag_ms.count).toBeGreaterThan(0);
    expect(m.view_lag_timeouts?.sum ?? 0).toBe(0);
  });

  it('when sidecar-overhead ends, then its summary prints the per-hop overhead', () => {
    expect(runs.get('sidecar-overhead.js')!.summaryKeys).toEqual(expect.arrayContaining(['stdout']));
  });

  it('when the scripts are type-checked against @types/k6, then tsc reports nothing', () => {
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(LOADTEST, 'tsconfig.json')], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);
});

describe('the check itself bites', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'k6-check-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('when a script has a syntax error, then running it fails', () => {
    const broken = path.join(tmp, 'broken.mjs');
    fs.writeFileSync(
      broken,
      fs.readFileSync(path.join(LOADTEST, 'register.js'), 'utf8').replace('export function setup() {', 'export function setup( {'),
    );
    const { status, stderr } = runScript(broken);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/SyntaxError/);
  });

  it('when a script imports a k6 module with no stand-in, then running it fails', () => {
    const other = path.join(tmp, 'redis.mjs');
    fs.writeFileSync(other, "import redis from 'k6/experimental/redis';\nexport const options = {};\nexport default function () {}\n");
    const { status, stderr } = runScript(other);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/no stand-in for "k6\/experimental\/redis"/);
  });

  it('when a call is not on the allow-list, then it is reported', () => {
    expect(whyNotAllowed('GET', `${BASES.gateway}/rooms/abc`)).toBeNull();
    expect(whyNotAllowed('POST', `${BASES.gateway}/reservations/r1/cancel`)).toBeNull();
    expect(whyNotAllowed('POST', `${BASES.gateway}/auth/signup`)).toBeNull();
    expect(whyNotAllowed('POST', `${BASES.gateway}/internal/rooms/abc/holds`)).toMatch(/not a route of the gateway's allow-list/);
    expect(whyNotAllowed('POST', `${BASES.gateway}/payments`)).toMatch(/not a route of the gateway's allow-list/);
    expect(whyNotAllowed('GET', `${BASES.sidecar}/v1.0/state/statestore/x`)).toMatch(/not service invocation/);
    expect(whyNotAllowed('GET', `${BASES.sidecar}/v1.0/invoke/room/method/rooms`)).toMatch(/only GET \/healthz/);
    expect(whyNotAllowed('GET', 'http://elsewhere:1/healthz')).toMatch(/none of BASE_URL/);
  });

  it('when a protected route is called without a bearer token, then it is reported (public routes need none)', () => {
    const call = (method: string, p: string, authorization: string | null) => ({ method, url: `${BASES.gateway}${p}`, authorization });
    expect(whyUnauthenticated(call('POST', '/rooms', null))).toMatch(/POST \/rooms \(protected\) sent no Authorization header/);
    expect(whyUnauthenticated(call('GET', '/roomviews/abc', 'Basic eDp5'))).toMatch(/protected/);
    expect(whyUnauthenticated(call('GET', '/reservations', 'Bearer '))).toMatch(/protected/);
    expect(whyUnauthenticated(call('GET', '/reservations', 'Bearer abc.def.ghi'))).toBeNull();
    expect(whyUnauthenticated(call('GET', '/rooms/abc', null))).toBeNull();
    expect(whyUnauthenticated(call('POST', '/auth/token', null))).toBeNull();
    expect(whyUnauthenticated(call('GET', '/healthz', null))).toBeNull();
  });

  it('when a script calls a protected route without a token, then the run records it and the stand-in answers 401', () => {
    const script = path.join(tmp, 'anonymous.mjs');
    fs.writeFileSync(
      script,
      [
        "import http from 'k6/http';",
        "import { check } from 'k6';",
        "export const options = { scenarios: { s: { executor: 'constant-vus', exec: 'run', vus: 1, duration: '1s' } }, thresholds: { http_req_failed: ['rate<0.01'], http_req_duration: ['p(99)<1'] } };",
        'export function setup() {}',
        'export function run() {',
        "  const res = http.post(`${__ENV.BASE_URL}/rooms`, JSON.stringify({ name: 'r', city: 'c', pricePerNight: 1 }), { headers: { 'Content-Type': 'application/json' } });",
        "  check(res, { 'room registered (201)': (r) => r.status === 201 });",
        '}',
        '',
      ].join('\n'),
    );
    const { status, stdout, stderr } = runScript(script);
    expect([status, stderr]).toEqual([0, '']);
    const run = JSON.parse(stdout) as ScriptRun;
    expect(run.calls.map(whyUnauthenticated).filter((why) => why !== null)[0]).toMatch(
      /POST \/rooms \(protected\) sent no Authorization header/,
    );
    expect(run.checks.fails).toEqual({ 'room registered (201)': 40 });
  });

  it('when a script names another user as host or books beyond the horizon, then the stand-in refuses it', () => {
    const script = path.join(tmp, 'careless.mjs');
    fs.writeFileSync(
      script,
      [
        "import http from 'k6/http';",
        "import { check } from 'k6';",
        "import { createRooms, reservationBody, signUpUsers, stay, call, firstDay } from '" +
          pathToFileURL(path.join(LOADTEST, 'lib', 'staycar.js')).href +
          "';",
        "export const options = { scenarios: { s: { executor: 'constant-vus', exec: 'run', vus: 1, duration: '1s' } } };",
        "export function setup() { const [host, guest] = signUpUsers('t', 'u', 2); return { host, guest, rooms: createRooms('t', 1, [host]) }; }",
        'export function run(data) {',
        "  const other = call('POST', '/rooms', { hostId: 'host-1', name: 'r', city: 'c', pricePerNight: 1 }, { as: data.host });",
        "  check(other, { 'someone else as host (201)': (r) => r.status === 201 });",
        "  const body = reservationBody(data.rooms[0], null, { checkIn: '2031-01-01', checkOut: '2031-01-02' });",
        "  check(call('POST', '/reservations', body, { as: data.guest }), { 'far stay (201)': (r) => r.status === 201 });",
        "  check(call('POST', '/reservations', reservationBody(data.rooms[0], null, stay(firstDay(), 0, 1)), { as: data.guest }), { 'near stay (201 once)': (r) => r.status !== 400 });",
        '}',
        '',
      ].join('\n'),
    );
    const { status, stdout, stderr } = runScript(script);
    expect([status, stderr]).toEqual([0, '']);
    const run = JSON.parse(stdout) as ScriptRun;
    expect(run.checks.fails).toEqual({ 'someone else as host (201)': 40, 'far stay (201)': 40 });
  });

  it('when a plan runs past the 500-day horizon, then stay() stops it with a message', () => {
    const script = path.join(tmp, 'horizon.mjs');
    const lib = pathToFileURL(path.join(LOADTEST, 'lib', 'staycar.js')).href;
    fs.writeFileSync(
      script,
      `import { firstDay, stay } from '${lib}';\nexport const options = {};\nexport function setup() { stay(firstDay(), 497, 1); stay(firstDay(), 498, 1); }\n`,
    );
    const { status, stderr } = runScript(script);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/498 days after .* is beyond the 500-day horizon/);
  });
});
