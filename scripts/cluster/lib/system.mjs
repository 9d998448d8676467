// The host side of the local cluster: its daemons (started detached, one pid file and one log each,
// stopped only by those pid files), the node's address on lo, the sysctls it changes (remembered
// and put back), and the firewall table that keeps pod traffic on the machine.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CLUSTER, NET } from './layout.mjs';

export class ClusterError extends Error {}

export const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
export const trySh = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', ...opts });
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const pidFile = (name) => path.join(CLUSTER.pids, `${name}.pid`);
export const logFile = (name) => path.join(CLUSTER.logs, `${name}.log`);

export function pidOf(name) {
  try {
    const pid = Number(fs.readFileSync(pidFile(name), 'utf8').trim());
    process.kill(pid, 0);
    // The pid file is ours only while that process still runs our binary.
    const exe = fs.readlinkSync(`/proc/${pid}/exe`);
    return exe.startsWith(CLUSTER.bin) || exe.includes(`/${name}`) ? pid : null;
  } catch {
    return null;
  }
}

/** Starts `bin` (a file of .data/cluster/bin) detached, stdout+stderr appended to logs/<name>.log. */
export function startDaemon(name, bin, args, { env = {} } = {}) {
  const running = pidOf(name);
  if (running) return running;
  fs.mkdirSync(CLUSTER.pids, { recursive: true });
  fs.mkdirSync(CLUSTER.logs, { recursive: true });
  const out = fs.openSync(logFile(name), 'a');
  fs.writeSync(out, `\n==== ${new Date().toISOString()} ${bin} ${args.join(' ')}\n`);
  const child = spawn(path.join(CLUSTER.bin, bin), args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, PATH: `${CLUSTER.bin}:${process.env.PATH}`, ...env },
  });
  child.unref();
  fs.closeSync(out);
  fs.writeFileSync(pidFile(name), `${child.pid}\n`);
  return child.pid;
}

/** SIGTERM, then SIGKILL after `graceMs`. Answers whether something was stopped. */
export async function stopDaemon(name, { graceMs = 10_000 } = {}) {
  const pid = pidOf(name);
  fs.rmSync(pidFile(name), { force: true });
  if (!pid) return false;
  process.kill(pid, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await sleep(200);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  return true;
}

/** Waits until `check()` answers true; a daemon that died meanwhile fails at once with its log's tail. */
export async function waitFor(what, check, { timeoutMs = 120_000, daemon, everyMs = 1000, progress = () => {} } = {}) {
  const t0 = Date.now();
  let last = 0;
  while (Date.now() - t0 < timeoutMs) {
    if (await check()) return (Date.now() - t0) / 1000;
    if (daemon && !pidOf(daemon))
      throw new ClusterError(`${daemon} exited while waiting for ${what}; last lines of ${logFile(daemon)}:\n${tail(logFile(daemon), 25)}`);
    if (Date.now() - last > 15_000 && Date.now() - t0 > 5000) {
      progress(`  still waiting for ${what}: ${Math.round((Date.now() - t0) / 1000)} s`);
      last = Date.now();
    }
    await sleep(everyMs);
  }
  throw new ClusterError(
    `timed out after ${timeoutMs / 1000} s waiting for ${what}${daemon ? `; last lines of ${logFile(daemon)}:\n${tail(logFile(daemon), 25)}` : ''}`,
  );
}

export function tail(file, lines) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Answers whether something listens on host:port. */
export const listening = (port, host = '127.0.0.1') =>
  new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });

/** TCP ports the cluster listens on, with who: what `cluster:up` checks is free first. */
export const PORTS = {
  [NET.etcdClientPort]: 'etcd (127.0.0.1)',
  [NET.etcdPeerPort]: 'etcd peer (127.0.0.1)',
  [NET.apiPort]: 'kube-apiserver',
  10248: 'kubelet healthz (127.0.0.1)',
  10249: 'kube-proxy metrics (127.0.0.1)',
  10250: 'kubelet',
  10256: 'kube-proxy healthz (127.0.0.1)',
  10257: 'kube-controller-manager (127.0.0.1)',
  10259: 'kube-scheduler (127.0.0.1)',
};

/** Whether any TCP socket (any address) listens on `port` — from /proc, so it finds every listener. */
export function portTaken(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const rows = fs.existsSync(table) ? fs.readFileSync(table, 'utf8').split('\n').slice(1) : [];
    if (rows.some((r) => r.trim().split(/\s+/)[1]?.endsWith(`:${hex}`) && r.trim().split(/\s+/)[3] === '0A')) return true;
  }
  return false;
}

// ---- sysctls: changed only when needed, the old value kept in the run folder and put back by down.
const SYSCTL_SAVE = () => path.join(CLUSTER.run, 'sysctl.json');
const sysctlPath = (key) => `/proc/sys/${key.replaceAll('.', '/')}`;

export function setSysctls(wanted) {
  const saved = fs.existsSync(SYSCTL_SAVE()) ? JSON.parse(fs.readFileSync(SYSCTL_SAVE(), 'utf8')) : {};
  for (const [key, value] of Object.entries(wanted)) {
    const current = fs.readFileSync(sysctlPath(key), 'utf8').trim();
    if (current === String(value)) continue;
    if (!(key in saved)) saved[key] = current;
    fs.writeFileSync(sysctlPath(key), String(value));
  }
  fs.mkdirSync(CLUSTER.run, { recursive: true });
  fs.writeFileSync(SYSCTL_SAVE(), JSON.stringify(saved));
  return saved;
}

export function restoreSysctls() {
  if (!fs.existsSync(SYSCTL_SAVE())) return {};
  const saved = JSON.parse(fs.readFileSync(SYSCTL_SAVE(), 'utf8'));
  for (const [key, value] of Object.entries(saved)) fs.writeFileSync(sysctlPath(key), String(value));
  fs.rmSync(SYSCTL_SAVE());
  return saved;
}

// ---- the node's own address, on the loopback interface with a label of its own (this kernel has no
// dummy interfaces): always up, reachable from the pods through the bridge, never on eth0.
export function ensureNodeAddress() {
  const addrs = sh('ip', ['-4', '-o', 'addr', 'show', 'dev', 'lo']);
  if (!addrs.includes(`${NET.nodeIP}/32`)) sh('ip', ['addr', 'add', `${NET.nodeIP}/32`, 'dev', 'lo', 'label', NET.nodeLabel]);
}

export function removeNodeAddress() {
  return trySh('ip', ['addr', 'del', `${NET.nodeIP}/32`, 'dev', 'lo']).status === 0;
}

/**
 * An nftables table of our own: packets are never forwarded between the pod bridge and any other
 * interface (the pods reach the node and each other, nothing beyond the machine), whatever
 * ip_forward allows for the rest of the host.
 */
export const FIREWALL_TABLE = 'staycar-k8s';
export function ensureFirewall() {
  trySh('nft', ['delete', 'table', 'inet', FIREWALL_TABLE]);
  const rules = `table inet ${FIREWALL_TABLE} {
  chain forward {
    type filter hook forward priority filter - 10; policy accept;
    iifname "${NET.bridge}" oifname != "${NET.bridge}" counter drop comment "pods reach nothing beyond this machine"
    oifname "${NET.bridge}" iifname != "${NET.bridge}" counter drop comment "nothing forwarded into the pods from outside"
  }
}
`;
  const run = trySh('nft', ['-f', '-'], { input: rules });
  if (run.status !== 0) throw new ClusterError(`nft could not load the ${FIREWALL_TABLE} table: ${run.stderr}`);
}

// ---- iptables-nft makes the tables ip/ip6 filter, nat, mangle the first time anything (the kubelet's
// chains) is written there; down removes those that did not exist before up and are empty again.
const TABLES_BEFORE = () => path.join(CLUSTER.run, 'nft-tables-before.json');
const IPTABLES_TABLES = ['ip filter', 'ip nat', 'ip mangle', 'ip6 filter', 'ip6 nat', 'ip6 mangle'];
const nftTables = () =>
  (trySh('nft', ['list', 'tables'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n')
    .map((l) => l.replace(/^table /, '').trim())
    .filter(Boolean);

export function rememberNftTables() {
  if (fs.existsSync(TABLES_BEFORE())) return;
  fs.mkdirSync(CLUSTER.run, { recursive: true });
  fs.writeFileSync(TABLES_BEFORE(), JSON.stringify(nftTables()));
}

export function removeNewEmptyIptablesTables() {
  if (!fs.existsSync(TABLES_BEFORE())) return [];
  const before = JSON.parse(fs.readFileSync(TABLES_BEFORE(), 'utf8'));
  const removed = [];
  for (const table of nftTables()) {
    if (before.includes(table) || !IPTABLES_TABLES.includes(table)) continue;
    const rules = trySh('nft', ['-a', 'list', 'table', ...table.split(' ')], { encoding: 'utf8' }).stdout ?? '';
    // Empty: base chains with a policy only, no rule (a rule line ends with its handle).
    const hasRule = rules.split('\n').some((l) => /# handle \d+$/.test(l) && !/^\s*(table|chain) /.test(l));
    if (!hasRule && trySh('nft', ['delete', 'table', ...table.split(' ')]).status === 0) removed.push(table);
  }
  return removed;
}

/** Checks that none of the cluster's ranges overlaps a route the host already has (other than ours). */
export function checkRanges(ranges) {
  const toInt = (ip) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const parse = (cidr) => {
    const [ip, bits = '32'] = cidr.split('/');
    const size = 2 ** (32 - Number(bits));
    const start = Math.floor(toInt(ip) / size) * size;
    return [start, start + size - 1];
  };
  const routes = sh('ip', ['-4', '-o', 'route', 'show', 'table', 'all'])
    .split('\n')
    .filter((l) => l && !l.startsWith('default') && !l.includes(NET.bridge) && !/^(local|broadcast) /.test(l) && !/ table local /.test(l));
  const clashes = [];
  for (const range of ranges) {
    const [a0, a1] = parse(range);
    for (const line of routes) {
      const dst = line.split(' ')[0];
      if (!/^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(dst)) continue;
      const [b0, b1] = parse(dst);
      if (a0 <= b1 && b0 <= a1) clashes.push(`${range} overlaps the host's route ${line.trim()}`);
    }
  }
  return clashes;
}
