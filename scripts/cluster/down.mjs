#!/usr/bin/env node
// npm run cluster:down [-- --purge]
//
// Stops the local cluster of `npm run cluster:up` and removes what it added to the host: every pod
// (so the CNI plugin releases its addresses), the daemons (by their pid files only), leftover
// containerd shims of ours, mounts under our folders, kube-proxy's nftables tables, the kubelet's
// iptables chains, the bridge, the node's address on lo, our firewall table, and the sysctls it changed
// (put back to what they were). Certificates, images and built binaries stay in .data/cluster/;
// `--purge` also wipes the cluster's state (etcd, containerd, kubelet), so the next up starts empty.
import fs from 'node:fs';
import path from 'node:path';
import { CLUSTER, NET } from './lib/layout.mjs';
import {
  FIREWALL_TABLE,
  removeNewEmptyIptablesTables,
  removeNodeAddress,
  restoreSysctls,
  sleep,
  stopDaemon,
  trySh,
} from './lib/system.mjs';

const log = (line) => console.log(`[cluster:down] ${line}`);
const bin = (name) => path.join(CLUSTER.bin, name);
const purge = process.argv.includes('--purge');

/** Processes whose executable is one of ours (.data/cluster/bin/<name>), by pid. */
function ourProcesses(name) {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const exe = fs.readlinkSync(`/proc/${entry}/exe`).replace(/ \(deleted\)$/, '');
      if (exe === bin(name)) pids.push(Number(entry));
    } catch {
      /* gone or not ours to read */
    }
  }
  return pids;
}

function removePods() {
  if (!fs.existsSync(CLUSTER.containerdSock)) return;
  const crictl = (args) =>
    trySh(bin('crictl'), ['--runtime-endpoint', `unix://${CLUSTER.containerdSock}`, '--timeout', '30s', ...args], { encoding: 'utf8' });
  const pods = crictl(['pods', '-q']).stdout?.trim().split('\n').filter(Boolean) ?? [];
  if (pods.length === 0) return;
  crictl(['stopp', ...pods]);
  crictl(['rmp', '--force', ...pods]);
  log(`removed ${pods.length} pod sandbox(es)`);
}

/** Mount points under one of our folders, deepest first. */
function ourMounts() {
  const roots = [CLUSTER.data, CLUSTER.run];
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m) => m && roots.some((r) => m === r || m.startsWith(`${r}/`)))
    .sort((a, b) => b.length - a.length);
}

/** The kubelet's iptables chains (KUBE-IPTABLES-HINT, KUBE-KUBELET-CANARY, KUBE-FIREWALL and the jumps to it). */
function removeKubeletIptables() {
  for (const ipt of ['iptables', 'ip6tables']) {
    if (trySh('sh', ['-c', `command -v ${ipt}`]).status !== 0) continue;
    for (const [table, chain] of [
      ['mangle', 'KUBE-IPTABLES-HINT'],
      ['mangle', 'KUBE-KUBELET-CANARY'],
      ['nat', 'KUBE-KUBELET-CANARY'],
      ['filter', 'KUBE-KUBELET-CANARY'],
      ['filter', 'KUBE-FIREWALL'],
    ]) {
      if (trySh(ipt, ['-t', table, '-n', '-L', chain]).status !== 0) continue;
      for (const from of ['INPUT', 'OUTPUT']) while (trySh(ipt, ['-t', table, '-D', from, '-j', chain]).status === 0);
      trySh(ipt, ['-t', table, '-F', chain]);
      trySh(ipt, ['-t', table, '-X', chain]);
    }
  }
}

/** Empty cgroups the kubelet made (kubepods…) in every cgroup v1 hierarchy, deepest first. */
function removeCgroups() {
  let removed = 0;
  const base = '/sys/fs/cgroup';
  const hierarchies = fs.existsSync(base) ? fs.readdirSync(base).map((h) => path.join(base, h)) : [];
  const walk = (dir) => {
    let entries = [];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) walk(path.join(dir, e.name));
    try {
      fs.rmdirSync(dir);
      removed += 1;
    } catch {
      /* busy or not empty: left */
    }
  };
  for (const h of hierarchies)
    for (const top of ['kubepods', 'kubepods.slice']) if (fs.existsSync(path.join(h, top))) walk(path.join(h, top));
  return removed;
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('cluster:down runs as root');
  if (await stopDaemon('kubelet')) log('kubelet stopped');
  removePods();
  if (await stopDaemon('containerd', { graceMs: 15_000 })) log('containerd stopped');
  const shims = ourProcesses('containerd-shim-runc-v2');
  for (const pid of shims) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (shims.length > 0) log(`killed ${shims.length} leftover shim(s) of ours: ${shims.join(' ')}`);
  for (const name of ['kube-proxy', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd'])
    if (await stopDaemon(name)) log(`${name} stopped`);
  await sleep(500);

  for (const family of ['ip', 'ip6'])
    if (trySh('nft', ['delete', 'table', family, 'kube-proxy']).status === 0) log(`nftables table ${family} kube-proxy removed`);
  removeKubeletIptables();
  const tables = removeNewEmptyIptablesTables();
  if (tables.length > 0) log(`empty iptables-nft tables made while up removed: ${tables.join(', ')}`);
  for (const mount of ourMounts()) trySh('umount', ['-l', mount]);
  // (Pod network namespaces are mounted under containerd's state folder: netns_mounts_under_state_dir.)
  if (trySh('ip', ['link', 'delete', NET.bridge]).status === 0) log(`interface ${NET.bridge} removed`);
  if (removeNodeAddress()) log(`node address ${NET.nodeIP} removed from lo`);
  if (trySh('nft', ['delete', 'table', 'inet', FIREWALL_TABLE]).status === 0) log(`nftables table inet ${FIREWALL_TABLE} removed`);
  const restored = restoreSysctls();
  if (Object.keys(restored).length > 0)
    log(
      `sysctls put back: ${Object.entries(restored)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
    );
  const cgroups = removeCgroups();
  if (cgroups > 0) log(`removed ${cgroups} empty cgroup(s) of the kubelet`);
  fs.rmSync(CLUSTER.run, { recursive: true, force: true });
  // containerd's shims keep their sockets in /run/containerd/s whatever its state folder, and ctr its
  // fifos in /run/containerd/fifo: removed when empty and no other containerd runs on the machine.
  if (fs.existsSync('/run/containerd') && trySh('pgrep', ['-x', 'containerd']).status !== 0) {
    for (const dir of ['s', 'fifo', 'runc/k8s.io', 'runc', '.']) {
      try {
        fs.rmdirSync(path.join('/run/containerd', dir));
      } catch {
        /* not empty, or not there */
      }
    }
  }
  if (purge) {
    for (const dir of [
      CLUSTER.etcd,
      CLUSTER.containerdRoot,
      CLUSTER.kubelet,
      CLUSTER.podLogs,
      CLUSTER.volumes,
      CLUSTER.cniState,
      path.join(CLUSTER.data, 'opt'),
    ])
      fs.rmSync(dir, { recursive: true, force: true });
    log('state purged (etcd, containerd, kubelet, pod logs, volumes, CNI leases); certificates, binaries and images kept');
  }
  const left = [
    ...ourMounts(),
    ...['etcd', 'kube-apiserver', 'kubelet', 'containerd', 'containerd-shim-runc-v2', 'kube-proxy'].flatMap((n) =>
      ourProcesses(n).map((p) => `${n}:${p}`),
    ),
  ];
  if (left.length > 0) {
    console.error(`[cluster:down] still there: ${left.join(', ')}`);
    process.exit(1);
  }
  log('cluster down');
}

main().catch((error) => {
  console.error(`[cluster:down] ${error.stack ?? error}`);
  process.exit(1);
});
