// Prometheus for looking at the metrics locally (`npm run prometheus`; docs/observability.md):
// Debian's package (installed by the set-up), one process in the background with its data in
// .data/prometheus, scraping every app's own metrics (dapr.yaml env METRICS_PORT, GET /metrics)
// and every sidecar's (dapr.yaml metricsPort) — the ports come from dapr.yaml, never a list here.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { dataDir } from './paths.mjs';
import { isAlive } from './processes.mjs';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
/** Not Prometheus's usual 9090: that is the gateway's sidecar metrics port here. */
export const PROMETHEUS_PORT = Number(process.env.PROMETHEUS_PORT ?? 9190);
const SCRAPE_INTERVAL = '5s';

/** `prometheus --version`'s first line, or throws: the proof that the set-up's step worked. */
export function prometheusVersion(binary = PROMETHEUS_BIN) {
  const out = execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const line = out.split('\n')[0];
  if (!/^prometheus, version \d+\.\d+/.test(line)) throw new Error(`${binary} --version said: ${line}`);
  return line;
}

/**
 * Debian's package starts its own service on :9090 where an init system lets it (not in a
 * container whose policy-rc.d forbids it): that is the gateway's sidecar metrics port, so it is
 * stopped and disabled. Best effort: nothing to do where it never started.
 */
export function stopPackagedService() {
  for (const [cmd, args] of [
    ['systemctl', ['disable', '--now', 'prometheus']],
    ['invoke-rc.d', ['prometheus', 'stop']],
    ['update-rc.d', ['prometheus', 'disable']],
  ]) {
    try {
      execFileSync(cmd, args, { stdio: 'ignore' });
    } catch {
      /* no such init system, or nothing to stop */
    }
  }
}

/**
 * The scrape configuration of the running system: job `staycar-apps` (the apps' /metrics) and job
 * `dapr-sidecars` (daprd's metrics), one target per app with label `app`, from `apps` (loadApps()).
 */
export function prometheusConfig(apps, { scrapeInterval = SCRAPE_INTERVAL } = {}) {
  const target = (port, app) => ({ targets: [`127.0.0.1:${port}`], labels: { app: app.appID } });
  const appTargets = apps.filter((a) => Number(a.env?.METRICS_PORT) > 0).map((a) => target(Number(a.env.METRICS_PORT), a));
  const sidecarTargets = apps.filter((a) => a.metricsPort).map((a) => target(a.metricsPort, a));
  return {
    global: { scrape_interval: scrapeInterval, evaluation_interval: scrapeInterval },
    scrape_configs: [
      { job_name: 'staycar-apps', metrics_path: '/metrics', static_configs: appTargets },
      { job_name: 'dapr-sidecars', metrics_path: '/metrics', static_configs: sidecarTargets },
    ],
  };
}

const paths = (dir) => ({
  config: path.join(dir, 'prometheus.yml'),
  data: path.join(dir, 'data'),
  pid: path.join(dir, 'prometheus.pid'),
  log: path.join(dir, 'prometheus.log'),
});

async function ready(port) {
  try {
    return (await fetch(`http://127.0.0.1:${port}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

const pidIn = (file) => {
  try {
    return Number(fs.readFileSync(file, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
};

/**
 * Writes the configuration for `apps` and starts Prometheus on 127.0.0.1:`port` in the
 * background (data in `dir`), unless the one of `dir` already runs — then its configuration is
 * rewritten and reloaded (SIGHUP). Resolves once it answers /-/ready.
 */
export async function startPrometheus({ apps, port = PROMETHEUS_PORT, dir = dataDir('prometheus'), binary = PROMETHEUS_BIN, timeoutMs = 30_000 }) {
  const files = paths(dir);
  fs.mkdirSync(files.data, { recursive: true });
  fs.writeFileSync(files.config, `# Written by scripts/lib/prometheus.mjs from dapr.yaml; rewritten on every start.\n${stringify(prometheusConfig(apps))}`);
  const running = pidIn(files.pid);
  if (isAlive(running)) {
    process.kill(running, 'SIGHUP');
    return { started: false, pid: running, url: `http://127.0.0.1:${port}` };
  }
  const log = fs.openSync(files.log, 'a');
  const child = spawn(
    binary,
    [
      `--config.file=${files.config}`,
      `--storage.tsdb.path=${files.data}`,
      '--storage.tsdb.retention.time=7d',
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  fs.closeSync(log);
  fs.writeFileSync(files.pid, `${child.pid}\n`);
  const deadline = Date.now() + timeoutMs;
  while (!(await ready(port))) {
    if (!isAlive(child.pid)) throw new Error(`Prometheus exited while starting; see ${files.log}`);
    if (Date.now() > deadline) throw new Error(`Prometheus not ready after ${timeoutMs / 1000} s; see ${files.log}`);
    await sleep(200);
  }
  return { started: true, pid: child.pid, url: `http://127.0.0.1:${port}` };
}

export async function stopPrometheus({ dir = dataDir('prometheus') } = {}) {
  const files = paths(dir);
  const pid = pidIn(files.pid);
  if (!isAlive(pid)) {
    fs.rmSync(files.pid, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  fs.rmSync(files.pid, { force: true });
  return true;
}
