// The launcher behind `npm start`, the tests and `npm run svc:*`: it reads dapr.yaml (the same
// multi-app run file `dapr run -f dapr.yaml` takes) and starts every app beside its own real
// daprd, each pair in its own process group, with pid files so one service can be stopped and
// started while the rest keep running.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, parseAllDocuments } from 'yaml';
import { tokensFor } from './app-tokens.mjs';
import { isAlive } from './processes.mjs';
import { DAPR_BIN, ROOT, dataDir } from './paths.mjs';
import { postgresViewDbUrl } from './postgres.mjs';
import { loadProfile, profileResourcesPath } from './profiles.mjs';
import { sentryAddress, startSentry, stopSentry, trustAnchors } from './sentry.mjs';
import { daprConfigPath, startTracing, stopTracing, tracingAppEnv } from './tracing.mjs';

export const RUN_FILE = path.join(ROOT, 'dapr.yaml');
const runDir = () => dataDir('run');
const logDir = () => dataDir('logs');

/** The database URLs of dapr.yaml that name the profile's view database server (MariaDB in dapr.yaml). */
const VIEW_DB_URLS = ['VIEW_DB_URL', 'MESSAGE_DB_URL'];

/**
 * An app's environment on the profile: a VIEW_DB_URL (viewpage's read model) or MESSAGE_DB_URL
 * (message's table), which dapr.yaml points at MariaDB, points at the profile's view database —
 * on `"viewDb": "postgres"` the PostgreSQL database the set-up provisions for it
 * (scripts/lib/postgres.mjs).
 */
function profileEnv(env, profile) {
  const named = VIEW_DB_URLS.filter((name) => env[name] !== undefined);
  if (named.length === 0 || profile.viewDb === 'mariadb') return env;
  if (profile.viewDb === 'postgres') return { ...env, ...Object.fromEntries(named.map((name) => [name, postgresViewDbUrl()])) };
  throw new Error(`components/${profile.name}.profile.json: "viewDb": "${profile.viewDb}" is not known (mariadb, postgres)`);
}

/**
 * The apps of dapr.yaml with `common` folded in and paths made absolute; components/default is
 * replaced by the folder of the profile STAYCAR_PROFILE names (scripts/lib/profiles.mjs), and the
 * view database is the profile's (profileEnv).
 */
export function loadApps(runFile = RUN_FILE, profile = loadProfile()) {
  const doc = parse(fs.readFileSync(runFile, 'utf8'));
  const base = path.dirname(runFile);
  const common = doc.common ?? {};
  return doc.apps.map((app) => {
    const merged = { ...common, ...app, env: profileEnv({ ...(common.env ?? {}), ...(app.env ?? {}) }, profile) };
    return {
      ...merged,
      appDirPath: path.resolve(base, app.appDirPath),
      resourcesPaths: (merged.resourcesPaths ?? []).map((p) => profileResourcesPath(path.resolve(base, p), profile)),
      configFilePath: merged.configFilePath ? path.resolve(base, merged.configFilePath) : undefined,
    };
  });
}

export function findApp(appId) {
  const app = loadApps().find((a) => a.appID === appId);
  if (!app) {
    const ids = loadApps().map((a) => a.appID).join(', ');
    throw new Error(`No app "${appId}" in dapr.yaml (apps: ${ids}).`);
  }
  return app;
}

function daprdArgs(app) {
  const args = ['--app-id', app.appID, '--app-port', String(app.appPort), '--app-protocol', app.appProtocol ?? 'http'];
  const flag = (name, value) => value !== undefined && value !== null && args.push(name, String(value));
  flag('--dapr-http-port', app.daprHTTPPort);
  flag('--dapr-grpc-port', app.daprGRPCPort);
  flag('--dapr-internal-grpc-port', app.daprInternalGRPCPort);
  flag('--metrics-port', app.metricsPort);
  flag('--config', daprConfigPath(app.configFilePath));
  flag('--log-level', app.logLevel ?? 'warn');
  for (const p of app.resourcesPaths) args.push('--resources-path', p);
  if (app.enableAppHealthCheck) {
    args.push('--enable-app-health-check', '--app-health-check-path', app.appHealthCheckPath ?? '/healthz');
    flag('--app-health-probe-interval', app.appHealthProbeInterval);
    flag('--app-health-probe-timeout', app.appHealthProbeTimeout);
    flag('--app-health-threshold', app.appHealthThreshold);
  }
  // An empty address turns placement/scheduler off; the CLI would put the scheduler back.
  if (app.placementHostAddress) flag('--placement-host-address', app.placementHostAddress);
  if (app.schedulerHostAddress) flag('--scheduler-host-address', app.schedulerHostAddress);
  if (process.env.DAPR_MAX_BODY_SIZE) flag('--max-body-size', process.env.DAPR_MAX_BODY_SIZE);
  // Sealed: every port of the sidecar on loopback only, and mTLS between sidecars with
  // certificates from the local Sentry (scripts/lib/sentry.mjs).
  args.push('--dapr-listen-addresses', '127.0.0.1', '--dapr-internal-grpc-listen-address', '127.0.0.1', '--metrics-listen-address', '127.0.0.1');
  args.push('--enable-mtls', '--sentry-address', sentryAddress());
  return args;
}

function appEnv(app) {
  return {
    ...process.env,
    ...Object.fromEntries(Object.entries(app.env).map(([k, v]) => [k, String(v)])),
    APP_ID: app.appID,
    APP_PORT: String(app.appPort),
    APP_HOST: '127.0.0.1',
    DAPR_HTTP_PORT: String(app.daprHTTPPort),
    DAPR_GRPC_PORT: String(app.daprGRPCPort),
    DAPR_API_TOKEN: tokensFor(app.appID).daprApiToken,
    APP_API_TOKEN: tokensFor(app.appID).appApiToken,
    // STAYCAR_METRICS=off: no app serves or records metrics (the bench's "without" run).
    ...(process.env.STAYCAR_METRICS === 'off' ? { METRICS_PORT: '0' } : {}),
    ...tracingAppEnv(),
  };
}

/** The port an app serves its own metrics on (dapr.yaml env METRICS_PORT), if any. */
export const appMetricsPort = (app) => (Number(app.env?.METRICS_PORT) > 0 ? Number(app.env.METRICS_PORT) : undefined);

/**
 * daprd's environment: the launcher's own, the app's two tokens (its API requires the first; it
 * sends the second to the app), the Sentry root it trusts, and loopback as the address it
 * registers for name resolution.
 */
function daprdEnv(app) {
  const { daprApiToken, appApiToken } = tokensFor(app.appID);
  return { ...process.env, DAPR_HOST_IP: '127.0.0.1', DAPR_API_TOKEN: daprApiToken, APP_API_TOKEN: appApiToken, DAPR_TRUST_ANCHORS: trustAnchors() };
}

/** Headers for calls to an app's sidecar API (the sidecar refuses any without its token). */
export const sidecarHeaders = (appId) => ({ 'dapr-api-token': tokensFor(appId).daprApiToken });

const pidFile = (appId) => path.join(runDir(), `${appId}.json`);
export const logFiles = (appId) => ({
  app: path.join(logDir(), `${appId}.log`),
  daprd: path.join(logDir(), `${appId}.daprd.log`),
});

export { isAlive };

export function readPids(appId) {
  try {
    return JSON.parse(fs.readFileSync(pidFile(appId), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Starts one app and its sidecar detached (they outlive the caller), logging to
 * .data/logs/<app>.log and <app>.daprd.log; with `onLine`, lines are also handed to the caller.
 * Starts only the half that is not running (an app whose sidecar survived, or the reverse), and
 * answers which halves it started; throws when both run.
 */
export function startApp(app, { onLine } = {}) {
  const running = readPids(app.appID) ?? {};
  const appUp = isAlive(running.appPid);
  const daprdUp = isAlive(running.daprdPid);
  if (appUp && daprdUp) throw new Error(`${app.appID} is already running (pids ${running.appPid}, ${running.daprdPid}).`);
  const files = logFiles(app.appID);
  const spawnLogged = (command, args, options, file, label) => {
    const fd = fs.openSync(file, 'a');
    const child = spawn(command, args, { ...options, detached: true, stdio: onLine ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd] });
    if (onLine) {
      const out = fs.createWriteStream(null, { fd });
      for (const stream of [child.stdout, child.stderr]) {
        stream.pipe(out, { end: false });
        let rest = '';
        stream.on('data', (chunk) => {
          const lines = (rest + chunk).split('\n');
          rest = lines.pop();
          for (const line of lines) onLine(label, line);
        });
      }
    } else {
      fs.closeSync(fd);
    }
    child.unref();
    return child;
  };
  const pids = { appPid: running.appPid, daprdPid: running.daprdPid };
  const started = [];
  if (!appUp) {
    const [command, ...args] = app.command;
    pids.appPid = spawnLogged(command, args, { cwd: app.appDirPath, env: appEnv(app) }, files.app, app.appID).pid;
    started.push('app');
  }
  if (!daprdUp) {
    pids.daprdPid = spawnLogged(DAPR_BIN.daprd, daprdArgs(app), { cwd: app.appDirPath, env: daprdEnv(app) }, files.daprd, `${app.appID}.daprd`).pid;
    started.push('daprd');
  }
  fs.writeFileSync(pidFile(app.appID), JSON.stringify({ ...pids, startedAt: new Date().toISOString() }));
  return started;
}

async function terminate(pid, graceMs) {
  if (!isAlive(pid)) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Stops one app and its sidecar (app first, so it drains while its sidecar still answers). */
export async function stopApp(appId, { graceMs = 12_000 } = {}) {
  const pids = readPids(appId);
  if (!pids) return false;
  // Marked first, so `npm start`'s supervisor does not take the stop for a crash.
  fs.writeFileSync(pidFile(appId), JSON.stringify({ ...pids, stopping: true }));
  await terminate(pids.appPid, graceMs);
  await terminate(pids.daprdPid, graceMs);
  fs.rmSync(pidFile(appId), { force: true });
  return true;
}

export async function stopAll(options) {
  await Promise.all(loadApps().map((app) => stopApp(app.appID, options)));
  await stopSentry();
  await stopTracing();
  fs.rmSync(path.join(runDir(), 'profile.json'), { force: true });
}

async function answers(url, timeoutMs = 1000, headers = {}) {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    return res.status >= 200 && res.status < 300;
  } catch {
    return false;
  }
}

/** Resolves once the app's sidecar is healthy and the app says ready; throws after `timeoutMs`. */
export async function waitReady(app, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const sidecar = await answers(`http://127.0.0.1:${app.daprHTTPPort}/v1.0/healthz`);
    const ready = sidecar && (await answers(`http://127.0.0.1:${app.appPort}/readyz`));
    if (ready) return;
    const pids = readPids(app.appID);
    if (pids && !isAlive(pids.appPid)) {
      throw new Error(`${app.appID} exited while starting; see ${logFiles(app.appID).app}`);
    }
    if (pids && !isAlive(pids.daprdPid)) {
      throw new Error(`${app.appID}'s daprd exited while starting; see ${logFiles(app.appID).daprd}`);
    }
    await sleep(250);
  }
  throw new Error(`${app.appID} not ready after ${timeoutMs / 1000} s; see ${logFiles(app.appID).app} and ${logFiles(app.appID).daprd}`);
}

/**
 * Resolves once the gateway's sidecar reaches each of `apps` through service invocation (mTLS,
 * name resolution, the app's health): the one caller the access-control policy lets call every
 * app's /healthz (dapr/config.yaml). Without a gateway among the running apps there is nothing to check.
 */
export async function waitResolvable(apps, timeoutMs = 45_000) {
  const gateway = loadApps().find((a) => a.appID === 'gateway');
  if (!gateway || !isAlive(readPids(gateway.appID)?.daprdPid)) return;
  const deadline = Date.now() + timeoutMs;
  await Promise.all(
    apps
      .filter((b) => b.appID !== gateway.appID)
      .map(async (b) => {
        const url = `http://127.0.0.1:${gateway.daprHTTPPort}/v1.0/invoke/${b.appID}/method/healthz`;
        while (!(await answers(url, 2000, sidecarHeaders(gateway.appID)))) {
          if (Date.now() > deadline) throw new Error(`the gateway's sidecar cannot reach ${b.appID} after ${timeoutMs / 1000} s (mTLS, name resolution or ${b.appID}'s health; see .data/logs/)`);
          await sleep(250);
        }
      }),
  );
}

/** The apps whose pid files say they run. */
export function runningApps() {
  return loadApps().filter((app) => isAlive(readPids(app.appID)?.appPid));
}

/** Ports dapr.yaml needs that something already listens on. */
export async function busyPorts(apps = loadApps()) {
  const net = await import('node:net');
  const ports = apps.flatMap((a) => [a.appPort, a.daprHTTPPort, a.daprGRPCPort, a.daprInternalGRPCPort, a.metricsPort, appMetricsPort(a)].filter(Boolean));
  const busy = [];
  await Promise.all(
    ports.map(
      (port) =>
        new Promise((resolve) => {
          const socket = net.connect({ port, host: '127.0.0.1' });
          socket.once('connect', () => {
            busy.push(port);
            socket.destroy();
            resolve();
          });
          socket.once('error', () => resolve());
        }),
    ),
  );
  return busy.sort();
}

/**
 * The app whose sidecar starts first, alone: the first app in dapr.yaml with a state store in
 * scope. On an empty database every sidecar of the shared MySQL state store creates its tables at
 * start; run together they race ("Duplicate column name 'row_id'", and one daprd exits).
 */
export function firstStoreApp(apps) {
  for (const app of apps) {
    for (const dir of app.resourcesPaths) {
      if (!fs.existsSync(dir)) continue;
      for (const file of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
        for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
          const component = doc.toJS();
          if (component?.kind !== 'Component' || !String(component.spec?.type ?? '').startsWith('state.')) continue;
          if (!component.scopes || component.scopes.includes(app.appID)) return app;
        }
      }
    }
  }
  return undefined;
}

/** Resolves once the sidecar's components are initialised (its outbound health), whatever the app does. */
async function waitSidecarComponents(app, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(`http://127.0.0.1:${app.daprHTTPPort}/v1.0/healthz/outbound`))) {
    const pids = readPids(app.appID);
    if (pids && !isAlive(pids.daprdPid)) throw new Error(`${app.appID}'s daprd exited while starting; see ${logFiles(app.appID).daprd}`);
    if (Date.now() > deadline) throw new Error(`${app.appID}'s daprd not initialised after ${timeoutMs / 1000} s; see ${logFiles(app.appID).daprd}`);
    await sleep(100);
  }
}

export async function startAll({ onLine, timeoutMs = 90_000 } = {}) {
  const apps = loadApps();
  const busy = await busyPorts(apps);
  if (busy.length > 0) {
    throw new Error(
      `Ports ${busy.join(', ')} are in use: staycar (or something else) is already running. ` +
        'Stop it first (Ctrl-C where `npm start` runs, or `npm run svc:stop -- all`).',
    );
  }
  await startSentry();
  await startTracing();
  // Which profile the running system was started on (npm run doctor, the bench's report).
  fs.writeFileSync(path.join(runDir(), 'profile.json'), `${JSON.stringify({ profile: loadProfile().name, startedAt: new Date().toISOString() })}\n`);
  const first = firstStoreApp(apps);
  if (first) {
    startApp(first, { onLine });
    await waitSidecarComponents(first, timeoutMs);
  }
  for (const app of apps) if (app !== first) startApp(app, { onLine });
  await Promise.all(apps.map((app) => waitReady(app, timeoutMs)));
  await waitResolvable(apps);
  return apps;
}
