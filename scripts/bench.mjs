#!/usr/bin/env node
// `npm run bench`: drives the scenarios of loadtest/ with autocannon against the running system
// (start it with `npm start` first), as users it signs up itself (every request carries a user's
// bearer token), and reports, per scenario, throughput, p50/p95/p99 latency,
// non-2xx answers by status, and CPU seconds per 1,000 requests used by every process of the
// system (each app, each daprd, redis-server, mariadbd). Reports go to test-output/bench/.
//   npm run bench -- [--scenario NAME[,NAME…]] [--duration S] [--connections N] [--rate N|auto]
//                    [--max-in-flight N] [--base-url URL] [--rooms N] [--out DIR] [--list] [--profile NAME]
// Without --rate a scenario runs closed-loop (its connections send as fast as answers come: the
// maximum); with --rate it runs open-loop at that fixed arrival rate (scripts/lib/bench/open-loop.mjs),
// and --rate auto (= --at-half-max) first measures the closed-loop maximum, then runs open-loop at
// half of it. The report also gives the RSS of every process at rest before the load and at its end.
// With --profile the bench runs the set-up for that component profile, starts the system on it
// itself (one system per machine: it waits for /tmp/staycar-e2e.lock like a test run), measures,
// and stops it again; the report names the profile (docs/profiles.md, README "Profiles side by side").
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { health } from './lib/bench/api.mjs';
import { countsBetween, scrape } from './lib/bench/dapr-metrics.mjs';
import { drive } from './lib/bench/drive.mjs';
import { waitDrained } from './lib/bench/events.mjs';
import { waitDrainedOnBroker } from './lib/bench/broker-drain.mjs';
import { consumedTopics, deliveriesBetween, readDeliveries } from './lib/bench/deliveries.mjs';
import { openLoop } from './lib/bench/open-loop.mjs';
import { cpuUsed, rssOf, snapshot, systemProcesses } from './lib/bench/procs.mjs';
import { scenarioLines, writeReport } from './lib/bench/report.mjs';
import { SCENARIOS, SCENARIO_NAMES } from './lib/bench/scenarios.mjs';
import { round } from './lib/bench/stats.mjs';
import { infra } from './lib/infra.mjs';
import { ROOT, dataDir } from './lib/paths.mjs';
import { loadProfile } from './lib/profiles.mjs';
import { acquireE2eLock, releaseE2eLock } from './lib/e2e-lock.mjs';
import { loadApps, startAll, stopAll } from './lib/system.mjs';

const USAGE = `usage: npm run bench -- [options]
  --scenario NAME     one of ${SCENARIO_NAMES.join(', ')}, a comma list, or all (default)
  --duration S        seconds of load per scenario (default 30; sidecar-overhead 20)
  --connections N     concurrent connections (default per scenario: register 100, reserve 50, …);
                      the scenario signs up one user per connection (at least 20, at most 200)
                      and sends each request as the next of them, with its token
  --rate N|auto       open loop: start N requests/s on schedule, whether or not earlier ones have
                      answered (like k6's constant-arrival-rate), and report latency from the scheduled
                      start, the achieved rate, dropped and late starts. auto: first measure the
                      scenario's closed-loop maximum (--probe-duration s, --connections), then run open
                      loop at --fraction (0.5) of it. Default: closed loop (as fast as the answers come).
                      sidecar-overhead keeps its own meaning: autocannon's cap over its connections
                      (default 1000), a closed loop with a cap
  --at-half-max       the same as --rate auto
  --max-in-flight N   open loop: at most N requests in flight (default 500); an arrival that finds
                      them all busy is dropped and counted (reported as "max in-flight hit")
  --probe-duration S  --rate auto: seconds of the closed-loop run that finds the maximum (default 10)
  --fraction F        --rate auto: the share of the maximum to run at (default 0.5)
  --base-url URL      the gateway (default http://localhost:<gateway port of dapr.yaml>)
  --rooms N           rooms (and cars) the scenario creates first (reserve/lag 200, contend 5, browse 50)
  --target-app ID     sidecar-overhead: the app whose /healthz is called (default room)
  --via-app ID        sidecar-overhead: whose sidecar invokes it (default gateway)
  --topics A,B        events topics whose consumer groups must drain (default: every EVENTS_TOPICS of
                      dapr.yaml's apps, else $EVENTS_TOPIC or staycar-events)
  --drain-timeout S   how long to wait for our apps' consumer groups to drain (default 120; it also
                      gives up once the backlog has not shrunk for 20 s)
  --baseline S        idle seconds measured before each scenario, to tell the system's own idle CPU
                      (and other users of the shared Redis/MariaDB) from the load's (default 3; 0 = off)
  --profile NAME      component profile (components/NAME): set it up, start the system on it, bench,
                      stop it (default: bench the system that runs, on $STAYCAR_PROFILE or default)
  --out DIR           report folder (default test-output/bench)
  --list              print the scenario names as JSON and exit`;

let args;
try {
  args = parseArgs({
    options: {
      scenario: { type: 'string', default: 'all' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      rate: { type: 'string' },
      'at-half-max': { type: 'boolean', default: false },
      'max-in-flight': { type: 'string', default: '500' },
      'probe-duration': { type: 'string', default: '10' },
      fraction: { type: 'string', default: '0.5' },
      'base-url': { type: 'string' },
      rooms: { type: 'string' },
      'target-app': { type: 'string', default: 'room' },
      'via-app': { type: 'string', default: 'gateway' },
      topics: { type: 'string' },
      'drain-timeout': { type: 'string', default: '120' },
      baseline: { type: 'string', default: '3' },
      out: { type: 'string', default: path.join(ROOT, 'test-output', 'bench') },
      profile: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }).values;
} catch (error) {
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (args.list) {
  console.log(JSON.stringify(SCENARIO_NAMES));
  process.exit(0);
}

const positive = (name, value) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`--${name} must be a positive integer, got "${value}"\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const wanted = args.scenario === 'all' ? SCENARIO_NAMES : args.scenario.split(',').map((s) => s.trim());
const unknown = wanted.filter((name) => !SCENARIO_NAMES.includes(name));
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; choose from ${SCENARIO_NAMES.join(', ')}`);
  process.exit(2);
}
const cli = {
  duration: positive('duration', args.duration),
  connections: positive('connections', args.connections),
  rate: args['at-half-max'] || args.rate === 'auto' ? 'auto' : positive('rate', args.rate),
  maxInFlight: positive('max-in-flight', args['max-in-flight']),
  probeDuration: positive('probe-duration', args['probe-duration']),
  fraction: Number(args.fraction),
  rooms: positive('rooms', args.rooms),
  drainTimeout: positive('drain-timeout', args['drain-timeout']),
  baseline: args.baseline === '0' ? 0 : positive('baseline', args.baseline),
};

if (!(cli.fraction > 0 && cli.fraction <= 1)) {
  console.error(`--fraction must be in (0, 1], got "${args.fraction}"\n\n${USAGE}`);
  process.exit(2);
}

/** Adds the CPU above the idle baseline (seconds and per 1,000 requests). */
function withNet(used, idle, seconds, operations) {
  if (!idle) return used;
  const net = Math.max(0, used.totalSeconds - idle.perSecond * seconds);
  return { ...used, netSeconds: round(net), netPerKiloOps: operations > 0 ? round((net / operations) * 1000, 3) : null };
}

if (args.profile) process.env.STAYCAR_PROFILE = args.profile;
let profile;
try {
  profile = loadProfile();
} catch (error) {
  console.error(`✖ ${error.message}`);
  process.exit(2);
}
const apps = loadApps();
const topics = args.topics ? args.topics.split(',') : consumedTopics(apps, process.env.EVENTS_TOPIC ?? 'staycar-events');
const gateway = apps.find((a) => a.appID === 'gateway') ?? apps[0];
const baseUrl = (args['base-url'] ?? `http://localhost:${gateway.appPort}`).replace(/\/+$/, '');

let started = false;
async function startOnProfile() {
  console.log(`profile ${profile.name}: ${profile.description}`);
  if (spawnSync('node', [path.join(ROOT, 'scripts', 'setup.mjs')], { stdio: 'inherit', env: process.env }).status !== 0) {
    console.error('✖ set-up failed');
    process.exit(1);
  }
  await acquireE2eLock();
  started = true;
  const t0 = Date.now();
  await startAll({ timeoutMs: 120_000 });
  for (let i = 0; i < 120 && !(await health(baseUrl)).ok; i++) await sleep(500);
  console.log(`✔ system started on profile ${profile.name} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
async function stopStarted() {
  if (!started) return;
  await stopAll();
  releaseE2eLock();
}
if (args.profile) {
  try {
    await startOnProfile();
  } catch (error) {
    console.error(`✖ ${error.message}`);
    await stopStarted();
    process.exit(1);
  }
}

const up = await health(baseUrl);
if (!up.ok) {
  console.error(`✖ staycar is not running (or not healthy): ${up.detail}.`);
  console.error('  Start it in another terminal with `npm start`, wait for "staycar is up", then run `npm run bench` again.');
  process.exit(2);
}
console.log(`✔ ${up.detail}`);

// eslint-disable-next-line prefer-const
let { procs, source } = systemProcesses(apps, dataDir('run'));
console.log(`measuring CPU of ${procs.length} processes (${source}): ${procs.map((p) => `${p.label}:${p.pid}`).join(' ')}`);
if (!procs.some((p) => p.group === 'apps')) console.log('  ⚠ no app process found: CPU figures will cover the stores only');

const report = {
  startedAt: new Date().toISOString(),
  profile: profile.name,
  baseUrl,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '?', loadAverage: os.loadavg().map((x) => round(x)), node: process.version },
  options: { ...cli, scenarios: wanted },
  processes: { source, list: procs },
  scenarios: [],
};

/** Waits until the events of a scenario that writes are drained (every consumer group of our apps). */
async function drainEvents() {
  const appIds = apps.map((a) => a.appID);
  return profile.broker === 'redis'
    ? await waitDrained({ port: infra.redis.port, topics, appIds, timeoutMs: cli.drainTimeout * 1000 })
    : await waitDrainedOnBroker({ broker: profile.broker, topics, appIds, timeoutMs: cli.drainTimeout * 1000 });
}

/** Closed loop (autocannon, as fast as the answers come, or capped with `rate`) or open loop at `openRate`. */
async function runLoad(load, seriesOf, options, openRate) {
  if (openRate) {
    return openLoop(load, { rate: openRate, duration: options.duration, maxInFlight: cli.maxInFlight });
  }
  const autocannonOptions = { ...load, connections: options.connections, duration: options.duration };
  if (options.rate) autocannonOptions.overallRate = options.rate;
  return { mode: 'closed-loop', ...(await drive(autocannonOptions, { seriesOf })) };
}

/**
 * --rate auto: the scenario's closed-loop maximum, on data of its own (a second prepare, so the
 * open-loop run's checks — contend's one winner per stay — see only its own requests); its events
 * are drained before the open-loop run starts.
 */
async function probeMaximum(scenario, ctx, options) {
  const state = await scenario.prepare(ctx);
  const { seriesOf, ...load } = scenario.load(state, ctx);
  const probeOptions = { ...options, duration: cli.probeDuration, rate: undefined };
  console.log(`  measuring the closed-loop maximum: ${probeOptions.duration} s, ${probeOptions.connections} connections …`);
  const run = await runLoad(load, seriesOf, probeOptions);
  const { checks } = await scenario.verify(state, ctx, run);
  const drain = scenario.events ? await drainEvents() : undefined;
  const max = run.all.perSecond;
  const rate = round(max * cli.fraction, 1);
  console.log(`  closed-loop maximum ${max}/s (p50 ${run.all.latencyMs.p50} · p99 ${run.all.latencyMs.p99} ms) → open loop at ${rate}/s`);
  return {
    rate,
    probe: {
      seconds: run.seconds,
      connections: run.connections,
      maxPerSecond: max,
      fraction: cli.fraction,
      latencyMs: run.all.latencyMs,
      statuses: run.all.statuses,
      errors: run.errors,
      timeouts: run.timeouts,
      checks,
      drained: drain ? drain.ok : undefined,
    },
  };
}

/** Issue 15's "p99 at 50 % of max rate" targets, for a --rate auto run at half the maximum. */
const P99_AT_HALF_MAX_MS = { register: 50, reserve: 150, browse: 30 };
function halfMaxTarget(name, auto, run) {
  const want = P99_AT_HALF_MAX_MS[name];
  if (!auto || auto.fraction !== 0.5 || want === undefined) return [];
  const got = run.all.latencyMs.p99;
  return [{ name: 'p99 at 50 % of the closed-loop maximum, ms', want: `≤ ${want}`, got, met: got !== null && got <= want && run.openLoop.dropped === 0 }];
}

let failed = false;
for (const scenario of SCENARIOS.filter((s) => wanted.includes(s.name))) {
  // Listed again per scenario: PostgreSQL starts a backend process per new connection.
  procs = systemProcesses(apps, dataDir('run')).procs;
  // sidecar-overhead calls two URLs over its connections at autocannon's capped rate: --rate keeps
  // that meaning there (closed loop with a cap).
  const capped = scenario.name === 'sidecar-overhead';
  const options = {
    connections: cli.connections ?? scenario.defaults.connections,
    duration: cli.duration ?? scenario.defaults.duration ?? 30,
    rate: capped ? (typeof cli.rate === 'number' ? cli.rate : scenario.defaults.rate) : undefined,
    rooms: cli.rooms ?? scenario.defaults.rooms,
    targetApp: args['target-app'],
    viaApp: args['via-app'],
  };
  const ctx = { baseUrl, apps, options };
  console.log(`\n▶ ${scenario.name}: ${scenario.title}`);
  const result = { name: scenario.name, title: scenario.title, mode: 'closed-loop', rate: options.rate ?? null };
  report.scenarios.push(result);
  try {
    if (capped && cli.rate === 'auto') console.log(`  --rate auto is for the gateway scenarios: ${scenario.name} runs at its own capped rate (${options.rate}/s)`);
    let openRate = !capped && typeof cli.rate === 'number' ? cli.rate : undefined;
    if (!capped && cli.rate === 'auto') {
      const auto = await probeMaximum(scenario, ctx, options);
      result.auto = auto.probe;
      openRate = auto.rate;
      if (!auto.probe.checks.every((c) => c.ok)) failed = true;
      if (!(openRate > 0)) throw new Error(`the closed-loop maximum was ${auto.probe.maxPerSecond}/s: nothing to run open loop at`);
    }
    if (openRate) Object.assign(result, { mode: 'open-loop', rate: openRate, maxInFlight: cli.maxInFlight });

    const state = await scenario.prepare(ctx);
    const { seriesOf, ...load } = scenario.load(state, ctx);

    let idle;
    if (cli.baseline > 0) {
      const b0 = snapshot(procs);
      const t0 = Date.now();
      await sleep(cli.baseline * 1000);
      idle = cpuUsed(procs, b0, snapshot(procs), 0, (Date.now() - t0) / 1000);
    }

    const rssAtRest = rssOf(procs);
    const counters0 = await scrape(apps);
    const deliveries0 = scenario.events ? await readDeliveries(apps) : undefined;
    const cpu0 = snapshot(procs);
    const self0 = process.cpuUsage();
    const run = await runLoad(load, seriesOf, options, openRate);
    const cpu1 = snapshot(procs);
    const rssEndOfLoad = rssOf(procs);
    const self = process.cpuUsage(self0);

    const { checks, extra } = await scenario.verify(state, ctx, run);
    const primaryCountOf = (r) => [scenario.primary.status].flat().reduce((n, st) => n + (r.all.statuses[st] ?? 0), 0);
    let drain;
    let cpu2;
    if (scenario.events) {
      drain = await drainEvents();
      cpu2 = snapshot(procs);
      drain.deliveries = deliveriesBetween(deliveries0, await readDeliveries(apps), primaryCountOf(run));
      checks.push({ name: `every consumer group of ${topics.join(', ')} drained (lag 0, pending 0)`, ok: drain.ok, detail: `${drain.error ? `${drain.error}; ` : ''}after ${(drain.waitedMs / 1000).toFixed(1)} s` });
    }
    if (result.auto) for (const c of result.auto.checks) checks.push({ ...c, name: `probe of the maximum: ${c.name}` });
    const primaryCount = primaryCountOf(run);
    // After the drain: the events' deliveries and their state operations belong to the scenario.
    const dapr = countsBetween(counters0, await scrape(apps), primaryCount);
    Object.assign(result, {
      options,
      load: run,
      primary: { label: scenario.primary.label, count: primaryCount, perSecond: round(primaryCount / run.exactSeconds, 1) },
      cpu: {
        idle,
        load: withNet(cpuUsed(procs, cpu0, cpu1, run.all.responses), idle, run.openLoop?.secondsUntilLastAnswer ?? run.exactSeconds, run.all.responses),
        untilDrained: cpu2 ? cpuUsed(procs, cpu0, cpu2, run.all.responses) : undefined,
        loadGeneratorSeconds: round((self.user + self.system) / 1e6),
      },
      rss: { atRest: rssAtRest, endOfLoad: rssEndOfLoad },
      dapr,
      drain,
      checks,
      extra,
      // Throughput targets are closed-loop figures: an open loop runs at the rate it was asked.
      targets: scenario
        .targets(run, extra)
        .map((t) => (run.openLoop && t.name.endsWith('/s') ? { ...t, want: `${t.want} (closed loop only)`, met: null } : t))
        .concat(halfMaxTarget(scenario.name, result.auto, run)),
    });
    if (!checks.every((c) => c.ok)) failed = true;
  } catch (error) {
    result.error = error.message;
    failed = true;
  }
  for (const line of scenarioLines(result)) console.log(line);
}

await stopStarted();
const files = writeReport(args.out, report);
console.log(`\nreport: ${files.map((f) => path.relative(process.cwd(), f)).join(', ')} (and latest.json/.md)`);
console.log('Targets (✔/✘) are for a quiet 2-core machine; checks (✔/✘) are correctness and decide the exit code.');
process.exit(failed ? 1 : 0);
