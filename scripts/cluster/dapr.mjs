#!/usr/bin/env node
// npm run cluster:dapr — Dapr on the local cluster the way users install it: Dapr's own Helm chart
// (charts/dapr of the pinned github.com/dapr/dapr module, read from the Go module cache), installed
// by helm built from its module, with mTLS on as deploy/README.md's command says. The only
// differences: the images are the ones cluster:build made here (staycar.local/<operator|injector|
// sentry|placement|scheduler>:<v> for the control plane, never pulled) and the sidecar is our patched daprd (staycar.local/daprd:<v>-staycar).
// Then a pod with `dapr.io/enabled` is created, and the injected sidecar is checked: its image, its
// health, and a service invocation through it to the app.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DAPR_VERSION, IMAGES } from './components.mjs';
import { TOOLS } from './lib/gobuild.mjs';
import { CLUSTER } from './lib/layout.mjs';
import { ClusterError, trySh, waitFor } from './lib/system.mjs';

const t0 = Date.now();
const log = (line) =>
  console.log(
    `[cluster:dapr ${Math.round((Date.now() - t0) / 1000)
      .toString()
      .padStart(4)} s] ${line}`,
  );
const bin = (name) => path.join(CLUSTER.bin, name);
const kubectl = (args, opts = {}) => trySh(bin('kubectl'), ['--kubeconfig', CLUSTER.kubeconfig, ...args], { encoding: 'utf8', ...opts });

const CONTROL_PLANE_IMAGE = IMAGES.find((i) => i.file === 'dapr-operator').name;
const SIDECAR_IMAGE = IMAGES.find((i) => i.file === 'daprd').name;

/** The values that differ from a user's install: where the images come from. The rest is deploy/README.md's. */
export const HELM_VALUES = {
  'global.registry': CONTROL_PLANE_IMAGE.slice(0, CONTROL_PLANE_IMAGE.lastIndexOf('/')),
  'global.tag': DAPR_VERSION,
  'global.imagePullPolicy': 'Never',
  'dapr_sidecar_injector.image.name': SIDECAR_IMAGE,
  'dapr_sidecar_injector.sidecarImagePullPolicy': 'Never',
  'global.mtls.enabled': 'true',
  'global.mtls.workloadCertTTL': '24h',
  'global.mtls.allowedClockSkew': '15m',
};

function chartDir() {
  const info = execFileSync('go', ['mod', 'download', '-json', `github.com/dapr/dapr@v${DAPR_VERSION}`], {
    cwd: path.join(TOOLS, 'dapr'),
    encoding: 'utf8',
  });
  return path.join(JSON.parse(info).Dir, 'charts', 'dapr');
}

async function rollout(ns, kind, name, timeoutMs = 300_000) {
  return waitFor(`${kind} ${ns}/${name}`, () => kubectl(['-n', ns, 'rollout', 'status', `${kind}/${name}`, '--timeout=2s']).status === 0, {
    timeoutMs,
    progress: log,
  });
}

async function main() {
  for (const image of IMAGES.filter((i) => i.forDapr)) {
    if (!fs.existsSync(path.join(CLUSTER.images, `${image.file}.tar`)))
      throw new ClusterError(`image ${image.name} missing: npm run cluster:build`);
    const run = trySh(
      bin('ctr'),
      [
        '--address',
        CLUSTER.containerdSock,
        '-n',
        'k8s.io',
        'images',
        'import',
        '--platform',
        'linux/amd64',
        path.join(CLUSTER.images, `${image.file}.tar`),
      ],
      {
        encoding: 'utf8',
      },
    );
    if (run.status !== 0) throw new ClusterError(`ctr images import of ${image.name} failed (is the cluster up?): ${run.stderr}`);
    log(`image ${image.name} imported`);
  }
  const helmEnv = {
    ...process.env,
    HELM_CACHE_HOME: path.join(CLUSTER.data, 'helm', 'cache'),
    HELM_CONFIG_HOME: path.join(CLUSTER.data, 'helm', 'config'),
    HELM_DATA_HOME: path.join(CLUSTER.data, 'helm', 'data'),
  };
  const helm = (args) =>
    trySh(bin('helm'), ['--kubeconfig', CLUSTER.kubeconfig, '--namespace', 'dapr-system', ...args], { encoding: 'utf8', env: helmEnv });
  // A release left failed or half-done by an earlier try is removed first (helm will not upgrade it).
  const status = helm(['status', 'dapr', '-o', 'json']);
  if (status.status === 0) {
    const state = JSON.parse(status.stdout).info?.status;
    if (state !== 'deployed') {
      log(`removing the earlier release (status ${state})`);
      helm(['uninstall', 'dapr', '--wait', '--timeout', '5m']);
    }
  }
  const chart = chartDir();
  const set = Object.entries(HELM_VALUES).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  log(`helm upgrade --install dapr ${chart} -n dapr-system ${set.filter((_, i) => i % 2).join(' ')}`);
  const install = helm(['upgrade', '--install', 'dapr', chart, '--create-namespace', '--wait', '--timeout', '10m', ...set]);
  if (install.status !== 0) {
    const pods = kubectl(['-n', 'dapr-system', 'get', 'pods', '-o', 'wide']).stdout;
    throw new ClusterError(`helm install failed: ${install.stderr}${install.stdout}\n${pods}`);
  }
  log('Dapr control plane installed:');
  console.log(kubectl(['-n', 'dapr-system', 'get', 'pods', '-o', 'wide']).stdout);

  // A pod with a sidecar injected: the hello app behind Dapr.
  const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: { name: hello-dapr, namespace: default, labels: { app: hello-dapr } }
spec:
  replicas: 1
  selector: { matchLabels: { app: hello-dapr } }
  template:
    metadata:
      labels: { app: hello-dapr }
      annotations:
        dapr.io/enabled: "true"
        dapr.io/app-id: hello-dapr
        dapr.io/app-port: "8000"
        # The API on the pod's address too (default: loopback only), so this check can call it.
        dapr.io/sidecar-listen-addresses: "0.0.0.0"
    spec:
      containers:
        - name: hello
          image: ${IMAGES.find((i) => i.file === 'hello').name}
          imagePullPolicy: Never
          ports: [{ containerPort: 8000 }]
`;
  const apply = kubectl(['apply', '-f', '-'], { input: manifest });
  if (apply.status !== 0) throw new ClusterError(`kubectl apply hello-dapr failed: ${apply.stderr}`);
  await rollout('default', 'deployment', 'hello-dapr');
  const pod = JSON.parse(kubectl(['get', 'pods', '-l', 'app=hello-dapr', '-o', 'json']).stdout).items[0];
  const images = pod.spec.containers.map((c) => `${c.name}=${c.image}`);
  if (!images.includes(`daprd=${SIDECAR_IMAGE}`)) throw new ClusterError(`the injected sidecar is not ours: ${images.join(', ')}`);
  const ip = pod.status.podIP;
  const health = await fetch(`http://${ip}:3500/v1.0/healthz`).then((r) => r.status);
  const invoked = await fetch(`http://${ip}:3500/v1.0/invoke/hello-dapr/method/hi`).then(
    async (r) => `${r.status} ${(await r.text()).trim()}`,
  );
  const version = await fetch(`http://${ip}:3500/v1.0/metadata`).then(async (r) => (await r.json()).runtimeVersion);
  log(
    `sidecar injected into ${pod.metadata.name}: ${images.join(', ')}; daprd ${version}; /v1.0/healthz → ${health}; invoke hello-dapr → ${invoked}`,
  );
}

main().catch((error) => {
  console.error(`[cluster:dapr] ${error instanceof ClusterError ? error.message : (error.stack ?? error)}`);
  process.exit(1);
});
