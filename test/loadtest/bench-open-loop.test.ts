// A check of `npm run bench`'s open-loop mode (scripts/lib/bench/open-loop.mjs) and of what its report
// says, against the in-memory staycar of the stand-ins served on a local port by a deliberately slow
// node:http server (bench-stub/run-open-loop.mjs): no system, no Dapr. Timing bounds are loose: it
// checks the kind of loop (arrivals kept on schedule while answers take 200 ms), not a figure.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { STUB_ENV } from './gateway-routes';

const ROOT = path.resolve(__dirname, '..', '..');
const RUNNER = path.join(__dirname, 'bench-stub', 'run-open-loop.mjs');

interface Summary {
  count: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}
interface Rss {
  at: string;
  processes: number;
  totalMiB: number;
  perGroup: Record<string, number>;
  perProcess: Record<string, number>;
}
interface OpenRun {
  result: {
    mode: string;
    rate: number;
    maxInFlight: number;
    load: {
      mode: string;
      errors: number;
      timeouts: number;
      all: { responses: number; perSecond: number; statuses: Record<string, number>; latencyMs: Summary };
      openLoop: {
        askedRate: number;
        scheduled: number;
        started: number;
        achievedRate: number;
        dropped: number;
        late: number;
        startDelayMs: Summary;
        serviceTimeMs: Summary;
        maxInFlight: number;
        peakInFlight: number;
        maxInFlightHit: boolean;
      };
    };
    rss: { atRest: Rss; endOfLoad: Rss };
    checks: { name: string; ok: boolean; detail: string }[];
  };
  lines: string[];
  markdown: string;
  closed: { all: { responses: number; perSecond: number } } | null;
  peakAtServer: number;
  logs: string[];
}

function runOpenLoop(scenario: string, env: Record<string, string>): OpenRun {
  const res = spawnSync(process.execPath, [RUNNER, scenario], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...STUB_ENV, ...env },
  });
  if (res.status !== 0) throw new Error(`open loop of ${scenario} failed against the stand-in (exit ${res.status}):\n${res.stderr}`);
  return JSON.parse(res.stdout) as OpenRun;
}

describe("npm run bench's open-loop mode against a slow stand-in", () => {
  // 50 arrivals/s for 2 s while every answer takes 200 ms: about 10 in flight at once.
  let open: OpenRun;
  // The same bound with room for only 3 in flight: arrivals must be dropped, and said so.
  let bounded: OpenRun;
  beforeAll(() => {
    open = runOpenLoop('reserve', { RATE: '50', DURATION: '2', DELAY_MS: '200', MAX_IN_FLIGHT: '100', CLOSED_CONNECTIONS: '2' });
    bounded = runOpenLoop('register', { RATE: '50', DURATION: '2', DELAY_MS: '200', MAX_IN_FLIGHT: '3' });
  }, 120_000);

  it('when the server is slow, then requests still start on schedule: the asked rate is kept (an open loop)', () => {
    const o = open.result.load.openLoop;
    expect(o.askedRate).toBe(50);
    expect(o.scheduled).toBe(100);
    expect(o.started).toBe(100);
    expect(o.dropped).toBe(0);
    expect(o.achievedRate).toBeGreaterThanOrEqual(45);
    expect(o.achievedRate).toBeLessThanOrEqual(55);
    // Requests overlapped: a closed loop would never have more in flight than its connections.
    expect(o.peakInFlight).toBeGreaterThanOrEqual(6);
    expect(open.peakAtServer).toBeGreaterThanOrEqual(6);
    expect(o.maxInFlightHit).toBe(false);
    expect(open.result.load.all.responses).toBe(100);
    expect(open.result.load.errors + open.result.load.timeouts).toBe(0);
    // Every answer took the 200 ms the server held it.
    expect(open.result.load.all.latencyMs.p50).toBeGreaterThanOrEqual(195);
    expect(o.serviceTimeMs.p50).toBeGreaterThanOrEqual(195);
  });

  it('when autocannon is asked for the same rate over 2 connections, then the slow server holds it to about 2 / 200 ms (why it is not the open loop)', () => {
    expect(open.closed).not.toBeNull();
    expect(open.closed!.all.perSecond).toBeLessThanOrEqual(12);
    expect(open.result.load.all.perSecond).toBeGreaterThan(3 * open.closed!.all.perSecond);
  });

  it("when the scenario's requests are sent open-loop, then the scenario's own checks hold (its request plan, users and tokens)", () => {
    expect(open.result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(open.result.load.all.statuses).toEqual({ 201: 100 });
    expect(bounded.result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(open.logs.filter((l) => l.startsWith('error') || l.startsWith('warn'))).toEqual([]);
  });

  it('when the in-flight bound is reached, then arrivals are dropped (not queued) and the report says the bound was hit', () => {
    const o = bounded.result.load.openLoop;
    expect(o.maxInFlight).toBe(3);
    expect(o.peakInFlight).toBe(3);
    expect(bounded.peakAtServer).toBeLessThanOrEqual(3);
    expect(o.maxInFlightHit).toBe(true);
    expect(o.dropped).toBeGreaterThan(50);
    expect(o.started + o.dropped).toBe(o.scheduled);
    expect(bounded.lines.join('\n')).toMatch(/MAX IN-FLIGHT HIT/);
    expect(bounded.markdown).toMatch(/max in-flight hit/);
  });

  it('when the report is written, then it states the mode and has the percentiles, the rate asked and achieved, dropped and late starts', () => {
    const r = open.result;
    expect(r.mode).toBe('open-loop');
    expect(r.load.mode).toBe('open-loop');
    for (const p of ['p50', 'p90', 'p99', 'max'] as const) expect(typeof r.load.all.latencyMs[p]).toBe('number');
    expect(typeof r.load.openLoop.late).toBe('number');
    expect(typeof r.load.openLoop.startDelayMs.p99).toBe('number');
    const printed = open.lines.join('\n');
    expect(printed).toMatch(/mode: open loop, fixed arrival rate 50\/s, at most 100 in flight/);
    expect(printed).toMatch(/at 50\/s asked: 100 of 100 started, achieved \d+(\.\d)?\/s/);
    expect(printed).toMatch(/dropped 0 · late starts/);
    expect(printed).toMatch(/p50 [\d.]+ · p90 [\d.]+ · p95 [\d.]+ · p99 [\d.]+ · max [\d.]+/);
    expect(open.markdown).toMatch(/\| scenario \| mode \|/);
    expect(open.markdown).toMatch(/\| reserve \| open-loop \|/);
  });

  it('when the report is written, then it has the RSS of every process at rest before the load and at its end', () => {
    for (const rss of [open.result.rss.atRest, open.result.rss.endOfLoad]) {
      expect(rss.processes).toBe(1);
      expect(rss.totalMiB).toBeGreaterThan(10);
      expect(rss.perGroup.apps).toBe(rss.totalMiB);
      expect(rss.perProcess['stand-in']).toBe(rss.totalMiB);
    }
    expect(open.lines.join('\n')).toMatch(
      /RSS of the 1 processes: at rest before the load [\d.]+ MiB \(apps [\d.]+\) → at the end of the load [\d.]+ MiB/,
    );
    expect(open.markdown).toMatch(/RSS MiB rest → end/);
  });
});
