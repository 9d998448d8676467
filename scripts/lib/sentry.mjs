// Dapr Sentry for the local run: the certificate authority of the sidecars' mTLS, built from the
// same pinned module as daprd (scripts/lib/daprd-build.mjs). On its first start it makes its own
// root and issuer in .data/sentry/; every daprd trusts that root (DAPR_TRUST_ANCHORS) and gets its
// workload certificate from it, which carries its app id — what the access-control policy in
// dapr/config.yaml decides on.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DAPR_BIN, ROOT, dataDir } from './paths.mjs';
import { isAlive } from './processes.mjs';

const int = (name, fallback) => Number(process.env[name] ?? fallback);

export const sentry = {
  port: int('SENTRY_PORT', 3800),
  healthzPort: int('SENTRY_HEALTHZ_PORT', 3801),
  metricsPort: int('SENTRY_METRICS_PORT', 9098),
  binary: path.join(DAPR_BIN.dir, 'sentry'),
  config: path.join(ROOT, 'dapr', 'sentry.yaml'),
};
export const sentryAddress = () => `127.0.0.1:${sentry.port}`;
const credentials = () => dataDir('sentry');
const pidFile = () => path.join(dataDir('run'), 'sentry.json');
const logFile = () => path.join(dataDir('logs'), 'sentry.log');

async function healthy() {
  try {
    const res = await fetch(`http://127.0.0.1:${sentry.healthzPort}/healthz`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** The root certificate every sidecar trusts (PEM). */
export const trustAnchors = () => fs.readFileSync(path.join(credentials(), 'ca.crt'), 'utf8');

/** Starts Sentry unless it answers; resolves once it is healthy and its root exists. */
export async function startSentry({ timeoutMs = 30_000 } = {}) {
  if ((await healthy()) && fs.existsSync(path.join(credentials(), 'ca.crt'))) return false;
  if (!fs.existsSync(sentry.binary)) throw new Error(`${sentry.binary} is missing: run \`npm run setup\` (it builds Sentry beside daprd)`);
  const log = fs.openSync(logFile(), 'a');
  const child = spawn(
    sentry.binary,
    [
      '--config', sentry.config,
      '--issuer-credentials', credentials(),
      '--port', String(sentry.port),
      '--listen-address', '127.0.0.1',
      '--healthz-port', String(sentry.healthzPort),
      '--healthz-listen-address', '127.0.0.1',
      '--metrics-port', String(sentry.metricsPort),
      '--metrics-listen-address', '127.0.0.1',
      '--log-level', 'warn',
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  fs.closeSync(log);
  fs.writeFileSync(pidFile(), JSON.stringify({ pid: child.pid, startedAt: new Date().toISOString() }));
  const deadline = Date.now() + timeoutMs;
  while (!((await healthy()) && fs.existsSync(path.join(credentials(), 'ca.crt')))) {
    if (!isAlive(child.pid)) throw new Error(`Dapr Sentry exited while starting; see ${logFile()}`);
    if (Date.now() > deadline) throw new Error(`Dapr Sentry not healthy after ${timeoutMs / 1000} s; see ${logFile()}`);
    await sleep(100);
  }
  return true;
}

export async function stopSentry() {
  let pid;
  try {
    ({ pid } = JSON.parse(fs.readFileSync(pidFile(), 'utf8')));
  } catch {
    return false;
  }
  if (isAlive(pid)) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  fs.rmSync(pidFile(), { force: true });
  return true;
}
