#!/usr/bin/env node
// npm run test:k8s — staycar on the local cluster (npm run cluster:up first), as a user deploys it:
//   1. Dapr with its Helm chart (npm run cluster:dapr) unless it is installed;
//   2. the images (npm run cluster:images: the eight apps, Redis, MariaDB) imported into containerd;
//   3. namespace staycar and the Secrets, made the way deploy/README.md says for production (random
//      passwords and tokens, the signing keys by scripts/rotate-keys.mjs), kept when they exist;
//   4. kubectl apply -k deploy/overlays/cluster, then every rollout waited for;
//   5. the public API through the gateway's NodePort (test/k8s, Jest project k8s).
// It holds the e2e lock (/tmp/staycar-e2e.lock, as test/support/global-setup.mjs) throughout, so it
// never overlaps another checkout's e2e run on this machine. Ends with `k8s: N passed, N failed`.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../lib/paths.mjs';
import { isAlive } from '../lib/processes.mjs';
import { APP_SERVICES, buildAppImages, buildStoreImages } from './app-images.mjs';
import { CLUSTER, NET } from './lib/layout.mjs';

const NAMESPACE = 'staycar';
const NODE_PORT = 30080;
export const GATEWAY = `http://${NET.nodeIP}:${NODE_PORT}`;
const LOCK = path.join(os.tmpdir(), 'staycar-e2e.lock');
const t0 = Date.now();
const log = (line) => console.log(`[test:k8s ${String(Math.round((Date.now() - t0) / 1000)).padStart(4)} s] ${line}`);
class K8sTestError extends Error {}

const kubectl = (args, opts = {}) =>
  spawnSync(path.join(CLUSTER.bin, 'kubectl'), ['--kubeconfig', CLUSTER.kubeconfig, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
const must = (args, what, opts) => {
  const r = kubectl(args, opts);
  if (r.status !== 0) throw new K8sTestError(`${what}: kubectl ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout;
};

async function acquireLock() {
  for (let waited = 0; ; waited += 2) {
    try {
      fs.writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      return;
    } catch {
      const owner = Number(fs.readFileSync(LOCK, 'utf8') || 0);
      if (!isAlive(owner)) {
        fs.rmSync(LOCK, { force: true });
        continue;
      }
      if (waited % 60 === 0) log(`waiting for ${LOCK} (held by pid ${owner}: another checkout's e2e run)`);
      if (waited > 45 * 60) throw new K8sTestError(`another test run (pid ${owner}) holds ${LOCK}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
function releaseLock() {
  try {
    if (fs.readFileSync(LOCK, 'utf8') === String(process.pid)) fs.rmSync(LOCK, { force: true });
  } catch {
    /* already gone */
  }
}

function ensureDapr() {
  if (kubectl(['-n', 'dapr-system', 'rollout', 'status', 'deployment/dapr-sidecar-injector', '--timeout=5s']).status === 0) {
    log('Dapr is installed (dapr-system)');
    return;
  }
  log('installing Dapr with its Helm chart (npm run cluster:dapr)');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'cluster', 'dapr.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) throw new K8sTestError('npm run cluster:dapr failed');
}

const secretExists = (name) => kubectl(['-n', NAMESPACE, 'get', 'secret', name]).status === 0;
function createSecret(name, literals) {
  if (secretExists(name)) return false;
  // The values go through a manifest on stdin, never on a command line.
  const manifest = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'staycar' } },
    type: 'Opaque',
    stringData: literals,
  });
  must(['apply', '-f', '-'], `secret ${name}`, { input: manifest });
  return true;
}

/** The Secrets production expects (deploy/README.md), with the in-cluster stores' addresses. */
function ensureSecrets() {
  if (kubectl(['get', 'namespace', NAMESPACE]).status !== 0) must(['create', 'namespace', NAMESPACE], 'namespace');
  const pw = () => randomBytes(18).toString('hex');
  const made = [];
  const redisPw = pw();
  if (createSecret('staycar-redis', { host: 'redis:6379', password: redisPw })) made.push('staycar-redis');
  if (createSecret('staycar-ratelimit-redis', { password: pw() })) made.push('staycar-ratelimit-redis');
  const dbPw = pw();
  const created = createSecret('staycar-mysql', {
    rootPassword: pw(),
    user: 'staycar',
    password: dbPw,
    database: 'staycar',
    connectionString: `staycar:${dbPw}@tcp(mariadb:3306)/?allowNativePasswords=true&parseTime=true`,
  });
  if (created) made.push('staycar-mysql');
  const viewPw = pw();
  if (
    createSecret('staycar-viewpage-db', {
      database: 'staycar_view',
      user: 'viewpage',
      password: viewPw,
      url: `mysql://viewpage:${viewPw}@mariadb:3306/staycar_view`,
    })
  )
    made.push('staycar-viewpage-db');
  // message's table lives in the view's database, reached as the view's user (deploy/README.md).
  if (!secretExists('staycar-message-db')) {
    const viewUrl = must(['-n', NAMESPACE, 'get', 'secret', 'staycar-viewpage-db', '-o', 'jsonpath={.data.url}'], 'secret staycar-viewpage-db');
    createSecret('staycar-message-db', { url: Buffer.from(viewUrl.trim(), 'base64').toString('utf8') });
    made.push('staycar-message-db');
  }
  for (const app of APP_SERVICES) {
    for (const token of ['dapr-api-token', 'app-api-token']) {
      if (createSecret(`staycar-${app}-${token}`, { token: randomBytes(24).toString('hex') })) made.push(`staycar-${app}-${token}`);
    }
  }
  if (!secretExists('staycar-jwt-signing-keys')) {
    const keys = spawnSync(
      process.execPath,
      [path.join(ROOT, 'scripts', 'rotate-keys.mjs'), '--init', '--file', path.join(CLUSTER.data, 'secrets', 'jwt-keys.json'), '--print-value'],
      { encoding: 'utf8' },
    );
    if (keys.status !== 0) throw new K8sTestError(`rotate-keys.mjs failed: ${keys.stderr}`);
    createSecret('staycar-jwt-signing-keys', { 'jwt-signing-keys': keys.stdout.trim() });
    made.push('staycar-jwt-signing-keys');
  }
  log(made.length > 0 ? `Secrets made: ${made.length} (${made.slice(0, 4).join(', ')}, …)` : 'Secrets exist already (kept)');
}

async function waitForRollouts() {
  const workloads = [
    'statefulset/redis',
    'statefulset/mariadb',
    'deployment/ratelimit-redis',
    ...APP_SERVICES.map((app) => `deployment/${app}`),
  ];
  for (const workload of workloads) {
    const started = Date.now();
    const r = kubectl(['-n', NAMESPACE, 'rollout', 'status', workload, '--timeout=600s']);
    if (r.status !== 0) {
      const pods = kubectl(['-n', NAMESPACE, 'get', 'pods', '-o', 'wide']).stdout;
      throw new K8sTestError(`${workload} did not roll out: ${r.stderr || r.stdout}\n${pods}`);
    }
    log(`${workload} rolled out (${Math.round((Date.now() - started) / 1000)} s)`);
  }
}

async function gatewayHealthy() {
  for (let i = 0; i < 120; i++) {
    try {
      const res = await fetch(`${GATEWAY}/healthz`, { signal: AbortSignal.timeout(3000) });
      const body = await res.json();
      if (Object.values(body.services ?? {}).every((s) => s === 'up')) return body;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new K8sTestError(`the gateway at ${GATEWAY}/healthz never said every service is up`);
}

/** Runs the Jest project k8s against the gateway; answers its counts. */
function runSuites() {
  const summary = path.join(CLUSTER.data, 'k8s-jest.json');
  fs.rmSync(summary, { force: true });
  const r = spawnSync('npx', ['jest', '--selectProjects', 'k8s', '--json', '--outputFile', summary], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, STAYCAR_K8S: '1', GATEWAY_URL: GATEWAY },
  });
  if (!fs.existsSync(summary)) return { passed: 0, failed: 1, status: r.status ?? 1 };
  const json = JSON.parse(fs.readFileSync(summary, 'utf8'));
  return { passed: json.numPassedTests, failed: json.numFailedTests + json.numRuntimeErrorTestSuites, status: r.status ?? 1 };
}

/** The last line, also written to STAYCAR_K8S_SUMMARY for scripts/test.mjs. */
function summarize(passed, failed) {
  const line = `k8s: ${passed} passed, ${failed} failed`;
  console.log(line);
  if (process.env.STAYCAR_K8S_SUMMARY) fs.writeFileSync(process.env.STAYCAR_K8S_SUMMARY, `${line}\n`);
}

async function main() {
  if (!fs.existsSync(CLUSTER.kubeconfig) || kubectl(['get', '--raw', '/readyz']).status !== 0)
    throw new K8sTestError('the cluster is not up: npm run cluster:up first (docs/kubernetes.md)');
  await acquireLock();
  process.on('exit', releaseLock);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
  ensureDapr();
  await buildAppImages({ importInto: true });
  await buildStoreImages({ importInto: true });
  ensureSecrets();
  log('kubectl apply -k deploy/overlays/cluster');
  must(['apply', '-k', path.join(ROOT, 'deploy', 'overlays', 'cluster')], 'apply');
  await waitForRollouts();
  const health = await gatewayHealthy();
  log(`gateway ${GATEWAY}/healthz: ${JSON.stringify(health.services)}`);
  const { passed, failed } = runSuites();
  summarize(passed, failed);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[test:k8s] ${error instanceof K8sTestError ? error.message : (error.stack ?? error)}`);
    summarize(0, 1);
    process.exit(1);
  },
);
