// A check of the k6 scripts in loadtest/ (not a timed test: nothing here measures anything).
// Each script runs under Node with stand-ins for the k6 modules (test/loadtest/k6-stub/), which
// fails on a syntax error, runs setup/iterations/teardown, and records every HTTP call.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { PUBLIC_ROUTES } from '../../services/gateway/src/routes';

const ROOT = path.resolve(__dirname, '..', '..');
const LOADTEST = path.join(ROOT, 'loadtest');
const STUB = path.join(__dirname, 'k6-stub');
const BASES = { gateway: 'http://gateway.k6-check', app: 'http://app.k6-check', sidecar: 'http://sidecar.k6-check' };

interface ScriptRun {
  exports: string[];
  options: { thresholds?: Record<string, unknown>; scenarios?: Record<string, { exec?: string }> };
  calls: { method: string; url: string; scenario: string }[];
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
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

const scripts = fs
  .readdirSync(LOADTEST)
  .filter((f) => f.endsWith('.js'))
  .sort();

/** The allow-list of the gateway as regular expressions, plus the health probe. */
const publicRoutes = [...PUBLIC_ROUTES, { method: 'GET', path: '/healthz' }].map((r) => ({
  method: r.method,
  path: r.path,
  re: new RegExp(`^${r.path.replace(/:[a-zA-Z]+/g, '[^/]+')}$`),
}));
const isPublic = (method: string, pathname: string) => publicRoutes.some((r) => r.method === method && r.re.test(pathname));
const appIds = (parse(fs.readFileSync(path.join(ROOT, 'dapr.yaml'), 'utf8')) as { apps: { appID: string }[] }).apps.map((a) => a.appID);

/** Why a call is not allowed, or null: gateway calls must be public routes; app/sidecar calls only the trivial /healthz. */
function whyNotAllowed(method: string, url: string): string | null {
  const u = new URL(url);
  const base = `${u.protocol}//${u.host}`;
  if (base === BASES.gateway) return isPublic(method, u.pathname) ? null : `${method} ${u.pathname} is not a public route of API.md`;
  if (base === BASES.app) return method === 'GET' && u.pathname === '/healthz' ? null : `${method} ${u.pathname} on an app port (only GET /healthz)`;
  if (base === BASES.sidecar) {
    const m = /^\/v1\.0\/invoke\/([^/]+)\/method(\/.*)$/.exec(u.pathname);
    if (!m) return `${u.pathname} on a sidecar is not service invocation`;
    if (!appIds.includes(m[1]!)) return `sidecar invokes unknown app ${m[1]}`;
    return method === 'GET' && m[2] === '/healthz' ? null : `sidecar invocation of ${method} ${m[2]} (only GET /healthz)`;
  }
  return `call to ${base}, which is none of BASE_URL, APP_URL, SIDECAR_URL`;
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
    expect(scripts.map((f) => f.replace(/\.js$/, ''))).toEqual(names);
    expect(names).toEqual(['browse', 'contend', 'lag', 'register', 'reserve', 'sidecar-overhead']);
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
      expect([metric, Array.isArray(conditions) && conditions.length > 0 && conditions.every((c) => typeof c === 'string')]).toEqual([metric, true]);
    }
    // Every script bounds failures and latency.
    expect(Object.keys(thresholds).some((m) => m.startsWith('http_req_failed'))).toBe(true);
    expect(Object.keys(thresholds).some((m) => m.startsWith('http_req_duration'))).toBe(true);
  });

  it.each(scripts)('when %s calls the system, then every URL is a public route of API.md (or the health probe it measures)', (file) => {
    const run = runs.get(file)!;
    expect(run.calls.length).toBeGreaterThan(0);
    const bad = [...new Set(run.calls.map((c) => whyNotAllowed(c.method, c.url)).filter((why) => why !== null))];
    expect(bad).toEqual([]);
  });

  it('when the scripts set up their data, then they create it through the public API (rooms, cars) in setup', () => {
    for (const file of ['reserve.js', 'contend.js', 'browse.js', 'lag.js']) {
      const setupCalls = runs.get(file)!.calls.filter((c) => c.scenario === 'setup' && c.method === 'POST');
      expect([file, setupCalls.some((c) => c.url.endsWith('/rooms'))]).toEqual([file, true]);
    }
    expect(runs.get('reserve.js')!.calls.some((c) => c.scenario === 'setup' && c.url.endsWith('/rentcars'))).toBe(true);
  });

  it('when contend runs against a correct system (the stand-in), then its invariant check finds no violation and sees winners and losers', () => {
    const m = runs.get('contend.js')!.metrics;
    expect(m.contend_invariant_violations).toEqual({ count: 1, sum: 0 });
    expect(m.contend_confirmed!.sum).toBeGreaterThan(0);
    expect(m.contend_409!.sum).toBeGreaterThan(0);
  });

  it('when lag samples reservations, then it records the view lag for each', () => {
    const m = runs.get('lag.js')!.metrics;
    expect(m.view_lag_ms!.count).toBeGreaterThan(0);
    expect(m.view_lag_timeouts?.sum ?? 0).toBe(0);
  });

  it('when sidecar-overhead ends, then its summary prints the per-hop overhead', () => {
    expect(runs.get('sidecar-overhead.js')!.summaryKeys).toEqual(expect.arrayContaining(['stdout']));
  });

  it('when the scripts are type-checked against @types/k6, then tsc reports nothing', () => {
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(LOADTEST, 'tsconfig.json')], { encoding: 'utf8', timeout: 120_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);
});

describe('the check itself bites', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'k6-check-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('when a script has a syntax error, then running it fails', () => {
    const broken = path.join(tmp, 'broken.mjs');
    fs.writeFileSync(broken, fs.readFileSync(path.join(LOADTEST, 'register.js'), 'utf8').replace('export function setup() {', 'export function setup( {'));
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
    expect(whyNotAllowed('POST', `${BASES.gateway}/internal/rooms/abc/holds`)).toMatch(/not a public route/);
    expect(whyNotAllowed('POST', `${BASES.gateway}/payments`)).toMatch(/not a public route/);
    expect(whyNotAllowed('GET', `${BASES.sidecar}/v1.0/state/statestore/x`)).toMatch(/not service invocation/);
    expect(whyNotAllowed('GET', `${BASES.sidecar}/v1.0/invoke/room/method/rooms`)).toMatch(/only GET \/healthz/);
    expect(whyNotAllowed('GET', 'http://elsewhere:1/healthz')).toMatch(/none of BASE_URL/);
  });
});
