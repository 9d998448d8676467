// The Kubernetes part of `npm test` in CI (scripts/test.mjs): when this machine has the local
// cluster's binaries in its cache (a cold `npm run cluster:build` takes most of an hour, so CI never
// starts one) and runs as root, it links them (cluster:build, seconds), brings the cluster up,
// runs `npm run test:k8s` and takes the cluster down again if it was not up before.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { COMPONENTS } from '../cluster/components.mjs';
import { componentDir } from '../cluster/lib/gobuild.mjs';
import { CLUSTER } from '../cluster/lib/layout.mjs';
import { ROOT } from './paths.mjs';

/** null when the cluster can run here, else why not. */
export function k8sSkipReason() {
  if (process.getuid?.() !== 0) return 'not root (the cluster starts containerd and the kubelet)';
  const missing = COMPONENTS.filter((c) => !fs.existsSync(path.join(componentDir(c), 'staycar.json'))).map((c) => `${c.name} ${c.version}`);
  if (missing.length > 0) return `no cached build of ${missing.join(', ')} (npm run cluster:build, most of an hour cold)`;
  return null;
}

const clusterUp = () =>
  fs.existsSync(CLUSTER.kubeconfig) &&
  spawnSync(path.join(CLUSTER.bin, 'kubectl'), ['--kubeconfig', CLUSTER.kubeconfig, 'get', '--raw', '/readyz'], { encoding: 'utf8' }).status === 0;

/** Runs the cluster's tests; answers { passed, failed, note }. */
export function runK8s() {
  const sh = (script, args = []) => spawnSync('node', [path.join(ROOT, 'scripts', 'cluster', script), ...args], { cwd: ROOT, stdio: 'inherit' }).status ?? 1;
  const wasUp = clusterUp();
  const summary = path.join(CLUSTER.data, 'k8s-summary.txt');
  fs.rmSync(summary, { force: true });
  try {
    if (sh('build.mjs') !== 0) return { passed: 0, failed: 1, note: 'cluster:build failed' };
    if (!wasUp && sh('up.mjs') !== 0) return { passed: 0, failed: 1, note: 'cluster:up failed' };
    spawnSync('node', [path.join(ROOT, 'scripts', 'cluster', 'test-k8s.mjs')], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, STAYCAR_K8S_SUMMARY: summary },
    });
    const line = fs.existsSync(summary) ? fs.readFileSync(summary, 'utf8').trim() : '';
    const counts = /^k8s: (\d+) passed, (\d+) failed/.exec(line);
    if (!counts) return { passed: 0, failed: 1, note: 'test:k8s wrote no summary' };
    return { passed: Number(counts[1]), failed: Number(counts[2]) };
  } finally {
    if (!wasUp) sh('down.mjs');
  }
}
