// The processes of the running system and the CPU time they use, read from /proc (Linux):
// every app and daprd pid from .data/run/*.json (what the launcher behind `npm start` writes),
// falling back to whoever listens on the ports of dapr.yaml, plus redis-server and mariadbd.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { isAlive } from '../system.mjs';

let ticksPerSecond;
/** USER_HZ, the unit of utime/stime in /proc/<pid>/stat (almost always 100). */
function clockTicks() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of one process in seconds, or undefined when it is gone. */
export function cpuSeconds(pid) {
  let stat;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) / clockTicks();
}

const readComm = (pid) => {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
};
const allPids = () => fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);

/** Pids of processes whose /proc/<pid>/comm is one of `names`. */
export function pidsByComm(names) {
  return allPids()
    .map((pid) => ({ pid, comm: readComm(pid) }))
    .filter((p) => p.comm && names.includes(p.comm));
}

/** Pids listening on `ports` (TCP, v4 and v6): /proc/net/tcp* inodes matched to /proc/<pid>/fd. */
export function pidsListeningOn(ports) {
  const inodeToPort = new Map();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A = LISTEN
      const port = parseInt(cols[1].split(':')[1], 16);
      if (ports.includes(port)) inodeToPort.set(cols[9], port);
    }
  }
  const found = new Map();
  if (inodeToPort.size === 0) return found;
  for (const pid of allPids()) {
    let fds = [];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link = '';
      try {
        link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodeToPort.has(m[1])) found.set(inodeToPort.get(m[1]), pid);
    }
  }
  return found;
}

/**
 * Every process of the system, labelled: `<app>` (the Node app), `<app>.daprd`, `redis-server`,
 * `mariadbd`. `source` says where the app pids came from.
 */
export function systemProcesses(apps, runDir) {
  const procs = [];
  for (const app of apps) {
    let pids;
    try {
      pids = JSON.parse(fs.readFileSync(path.join(runDir, `${app.appID}.json`), 'utf8'));
    } catch {
      continue;
    }
    if (isAlive(pids.appPid)) procs.push({ pid: pids.appPid, label: app.appID, group: 'apps' });
    if (isAlive(pids.daprdPid)) procs.push({ pid: pids.daprdPid, label: `${app.appID}.daprd`, group: 'sidecars' });
  }
  let source = `${runDir}/*.json`;
  if (procs.length === 0) {
    // Started from another work tree or by hand: find them by the ports of dapr.yaml.
    source = 'listening ports of dapr.yaml';
    const byPort = pidsListeningOn(apps.flatMap((a) => [a.appPort, a.daprHTTPPort]));
    for (const app of apps) {
      if (byPort.has(app.appPort)) procs.push({ pid: byPort.get(app.appPort), label: app.appID, group: 'apps' });
      if (byPort.has(app.daprHTTPPort)) procs.push({ pid: byPort.get(app.daprHTTPPort), label: `${app.appID}.daprd`, group: 'sidecars' });
    }
  }
  // The stores of every profile (components/*.profile.json): PostgreSQL's server and its backends
  // (one process per connection), RabbitMQ's Erlang VM (beam.smp) and epmd, Kafka's JVM (its pid
  // file: `java` alone would also match other Java programs), and the local Zipkin when traces are on
  // (its pid file, a JVM too; README "Traces": its CPU is part of what tracing costs).
  const labels = { mysqld: 'mariadbd', 'beam.smp': 'rabbitmq', epmd: 'rabbitmq' };
  for (const { pid, comm } of pidsByComm(['redis-server', 'mariadbd', 'mysqld', 'sentry', 'postgres', 'beam.smp', 'epmd'])) {
    procs.push({ pid, label: labels[comm] ?? comm, group: comm === 'sentry' ? 'sidecars' : 'stores' });
  }
  try {
    const kafkaPid = Number(fs.readFileSync(path.join(runDir, '..', 'kafka', 'kafka.pid'), 'utf8'));
    if (isAlive(kafkaPid)) procs.push({ pid: kafkaPid, label: 'kafka', group: 'stores' });
  } catch {
    /* no Kafka on this profile */
  }
  try {
    const { pid: zipkinPid } = JSON.parse(fs.readFileSync(path.join(runDir, 'zipkin.json'), 'utf8'));
    if (isAlive(zipkinPid)) procs.push({ pid: zipkinPid, label: 'zipkin', group: 'stores' });
  } catch {
    /* traces off, or to a collector of your own */
  }
  return { procs, source };
}

/** CPU seconds of each process now. */
export function snapshot(procs) {
  return new Map(procs.map((p) => [p.pid, cpuSeconds(p.pid)]));
}

/**
 * CPU seconds used between two snapshots, per process, per group and in all; `perKiloOps` is the
 * total divided by thousands of operations; with `seconds`, `perSecond` is the rate (an idle baseline).
 */
export function cpuUsed(procs, before, after, operations, seconds) {
  const perProcess = {};
  const perGroup = {};
  let total = 0;
  for (const p of procs) {
    const a = before.get(p.pid);
    const b = after.get(p.pid);
    if (a === undefined || b === undefined) continue;
    const used = b - a;
    perProcess[p.label] = Number(((perProcess[p.label] ?? 0) + used).toFixed(2));
    perGroup[p.group] = (perGroup[p.group] ?? 0) + used;
    total += used;
  }
  for (const g of Object.keys(perGroup)) perGroup[g] = Number(perGroup[g].toFixed(2));
  return {
    totalSeconds: Number(total.toFixed(2)),
    perKiloOps: operations > 0 ? Number(((total / operations) * 1000).toFixed(3)) : null,
    ...(seconds ? { seconds: Number(seconds.toFixed(2)), perSecond: Number((total / seconds).toFixed(3)) } : {}),
    perGroup,
    perProcess,
  };
}

/** Resident set size of one process in bytes (VmRSS of /proc/<pid>/status), or undefined when it is gone. */
export function rssBytes(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const mib = (bytes) => Number((bytes / 1048576).toFixed(1));

/**
 * RSS of every process now, in MiB: per process (labels that occur more than once, e.g.
 * PostgreSQL's backends, are summed), per group and in all. Resident pages shared between
 * processes count in each (RSS, not PSS).
 */
export function rssOf(procs) {
  const perProcess = {};
  const perGroup = {};
  let total = 0;
  let counted = 0;
  for (const p of procs) {
    const bytes = rssBytes(p.pid);
    if (bytes === undefined) continue;
    counted++;
    perProcess[p.label] = (perProcess[p.label] ?? 0) + bytes;
    perGroup[p.group] = (perGroup[p.group] ?? 0) + bytes;
    total += bytes;
  }
  for (const k of Object.keys(perProcess)) perProcess[k] = mib(perProcess[k]);
  for (const k of Object.keys(perGroup)) perGroup[k] = mib(perGroup[k]);
  return { at: new Date().toISOString(), processes: counted, totalMiB: mib(total), perGroup, perProcess };
}
