#!/usr/bin/env node
// npm run cluster:up — a real single-node Kubernetes on this machine, from what `npm run cluster:build`
// put into .data/cluster/bin and .data/cluster/images: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, containerd 2 with Debian's runc, a CNI bridge, the kubelet, kube-proxy (nftables
// mode), CoreDNS; then a smoke pod of an image built here, reached through its Service; then
// metrics-server, until `kubectl top node` answers.
//
// Certificates are made locally (scripts/cluster/lib/pki.mjs). Data: .data/cluster/; volatile state:
// /run/staycar-k8s/. The node's address (10.215.0.1) is on the loopback interface (lo:staycar), the pods on
// the bridge staycar-cni0 (10.213.0.0/24), services in 10.214.0.0/24; an nftables table of our own
// keeps pod traffic on this machine. `npm run cluster:down` stops it all and removes what up added.
// Use it with: export KUBECONFIG=$PWD/.data/cluster/pki/admin.kubeconfig; .data/cluster/bin/kubectl …
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPONENTS, IMAGES } from './components.mjs';
import { CLUSTER, NET } from './lib/layout.mjs';
import { ensurePki, kubeconfigOf, pkiFile } from './lib/pki.mjs';
import {
  ClusterError,
  PORTS,
  checkRanges,
  ensureFirewall,
  rememberNftTables,
  ensureNodeAddress,
  pidOf,
  portTaken,
  setSysctls,
  sh,
  startDaemon,
  trySh,
  waitFor,
} from './lib/system.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const t0 = Date.now();
const log = (line) =>
  console.log(
    `[cluster:up ${Math.round((Date.now() - t0) / 1000)
      .toString()
      .padStart(4)} s] ${line}`,
  );
const bin = (name) => path.join(CLUSTER.bin, name);
/** Debian packages the node needs beside what cluster:build makes. */
export const APT_PACKAGES = { runc: 'runc', nft: 'nftables', conntrack: 'conntrack', openssl: 'openssl' };

const kubectl = (args, opts = {}) => trySh(bin('kubectl'), ['--kubeconfig', CLUSTER.kubeconfig, ...args], { encoding: 'utf8', ...opts });

export function preflight() {
  if (process.getuid?.() !== 0)
    throw new ClusterError('cluster:up runs as root (it starts containerd, the kubelet and changes the network)');
  const missingBins = COMPONENTS.filter((c) => !c.forDapr)
    .flatMap((c) => Object.keys(c.binaries))
    .filter((b) => !fs.existsSync(bin(b)));
  const missingImages = IMAGES.filter((i) => !i.forDapr && !fs.existsSync(path.join(CLUSTER.images, `${i.file}.tar`))).map((i) => i.name);
  if (missingBins.length + missingImages.length > 0) {
    throw new ClusterError(
      `missing ${[...missingBins, ...missingImages].join(', ')}: run \`npm run cluster:build\` first (a cold build takes most of an hour)`,
    );
  }
  const missingApt = Object.entries(APT_PACKAGES)
    .filter(([cmd]) => trySh('sh', ['-c', `command -v ${cmd}`]).status !== 0)
    .map(([, pkg]) => pkg);
  if (missingApt.length > 0) {
    log(`installing Debian packages: ${missingApt.join(' ')}`);
    const apt = trySh('apt-get', ['install', '-y', '--no-install-recommends', ...missingApt], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: 'inherit',
    });
    if (apt.status !== 0) throw new ClusterError(`apt-get install ${missingApt.join(' ')} failed (run apt-get update first?)`);
  }
  const taken = Object.entries(PORTS)
    .filter(([port, who]) => portTaken(Number(port)) && !pidOf(who.split(' ')[0]))
    .map(([port, who]) => `${port} (${who})`);
  if (taken.length > 0) throw new ClusterError(`ports already in use by something else: ${taken.join(', ')}`);
  const clashes = checkRanges([NET.clusterCIDR, NET.serviceCIDR, `${NET.nodeIP}/32`]);
  if (clashes.length > 0) throw new ClusterError(`the cluster's address ranges clash with this host's:\n  ${clashes.join('\n  ')}`);
  if (!fs.existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) {
    trySh('modprobe', ['br_netfilter']);
    if (!fs.existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables'))
      throw new ClusterError('br_netfilter is missing (modprobe br_netfilter failed): Services between pods on one bridge cannot work');
  }
}

const write = (file, text) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
};
const cfg = (name, text) => write(path.join(CLUSTER.config, name), text);

export async function startEtcd() {
  startDaemon('etcd', 'etcd', [
    '--name',
    NET.nodeName,
    '--data-dir',
    CLUSTER.etcd,
    '--listen-client-urls',
    `http://127.0.0.1:${NET.etcdClientPort}`,
    '--advertise-client-urls',
    `http://127.0.0.1:${NET.etcdClientPort}`,
    '--listen-peer-urls',
    `http://127.0.0.1:${NET.etcdPeerPort}`,
    '--initial-advertise-peer-urls',
    `http://127.0.0.1:${NET.etcdPeerPort}`,
    '--initial-cluster',
    `${NET.nodeName}=http://127.0.0.1:${NET.etcdPeerPort}`,
    '--quota-backend-bytes',
    String(2 * 1024 ** 3),
    '--log-level',
    'warn',
  ]);
  const s = await waitFor(
    'etcd',
    () => trySh(bin('etcdctl'), ['--endpoints', `127.0.0.1:${NET.etcdClientPort}`, 'endpoint', 'health']).status === 0,
    { daemon: 'etcd', progress: log },
  );
  log(`etcd ready (${s.toFixed(1)} s)`);
}

export async function startControlPlane() {
  startDaemon('kube-apiserver', 'kube-apiserver', [
    `--advertise-address=${NET.nodeIP}`,
    `--bind-address=${NET.nodeIP}`,
    `--secure-port=${NET.apiPort}`,
    `--etcd-servers=http://127.0.0.1:${NET.etcdClientPort}`,
    `--service-cluster-ip-range=${NET.serviceCIDR}`,
    '--service-node-port-range=30000-32767',
    `--client-ca-file=${pkiFile('ca.crt')}`,
    `--tls-cert-file=${pkiFile('apiserver.crt')}`,
    `--tls-private-key-file=${pkiFile('apiserver.key')}`,
    `--kubelet-client-certificate=${pkiFile('apiserver-kubelet-client.crt')}`,
    `--kubelet-client-key=${pkiFile('apiserver-kubelet-client.key')}`,
    `--kubelet-certificate-authority=${pkiFile('ca.crt')}`,
    '--kubelet-preferred-address-types=InternalIP',
    `--service-account-key-file=${pkiFile('sa.pub')}`,
    `--service-account-signing-key-file=${pkiFile('sa.key')}`,
    `--service-account-issuer=https://kubernetes.default.svc.${NET.clusterDomain}`,
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    '--allow-privileged=true',
    `--requestheader-client-ca-file=${pkiFile('front-proxy-ca.crt')}`,
    '--requestheader-allowed-names=front-proxy-client',
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pkiFile('front-proxy-client.crt')}`,
    `--proxy-client-key-file=${pkiFile('front-proxy-client.key')}`,
    '--enable-aggregator-routing=true',
    '--endpoint-reconciler-type=lease',
    '--v=1',
  ]);
  const s = await waitFor('kube-apiserver /readyz', () => kubectl(['get', '--raw', '/readyz']).stdout?.trim() === 'ok', {
    daemon: 'kube-apiserver',
    timeoutMs: 180_000,
    progress: log,
  });
  log(`kube-apiserver ready on https://${NET.nodeIP}:${NET.apiPort} (${s.toFixed(1)} s)`);

  startDaemon('kube-controller-manager', 'kube-controller-manager', [
    `--kubeconfig=${kubeconfigOf('controller-manager')}`,
    `--authentication-kubeconfig=${kubeconfigOf('controller-manager')}`,
    `--authorization-kubeconfig=${kubeconfigOf('controller-manager')}`,
    '--bind-address=127.0.0.1',
    `--service-account-private-key-file=${pkiFile('sa.key')}`,
    `--root-ca-file=${pkiFile('ca.crt')}`,
    `--cluster-signing-cert-file=${pkiFile('ca.crt')}`,
    `--cluster-signing-key-file=${pkiFile('ca.key')}`,
    `--requestheader-client-ca-file=${pkiFile('front-proxy-ca.crt')}`,
    `--service-cluster-ip-range=${NET.serviceCIDR}`,
    `--cluster-cidr=${NET.clusterCIDR}`,
    '--use-service-account-credentials=true',
    '--leader-elect=false',
    '--controllers=*,bootstrapsigner,tokencleaner',
    '--v=1',
  ]);
  startDaemon('kube-scheduler', 'kube-scheduler', [
    `--kubeconfig=${kubeconfigOf('scheduler')}`,
    `--authentication-kubeconfig=${kubeconfigOf('scheduler')}`,
    `--authorization-kubeconfig=${kubeconfigOf('scheduler')}`,
    '--bind-address=127.0.0.1',
    '--leader-elect=false',
    '--v=1',
  ]);
}

export async function startContainerd() {
  fs.mkdirSync(CLUSTER.containerdRoot, { recursive: true });
  const config = cfg(
    'containerd.toml',
    `# Written by scripts/cluster/up.mjs: containerd 2 for the local cluster only (own sockets, root and state).
version = 3
root = "${CLUSTER.containerdRoot}"
state = "${CLUSTER.containerdState}"
disabled_plugins = ["io.containerd.nri.v1.nri", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "${CLUSTER.containerdSock}"

[ttrpc]
  address = "${CLUSTER.containerdSock}.ttrpc"

[debug]
  address = ""
  level = "info"

[metrics]
  address = ""

[plugins]
  [plugins.'io.containerd.internal.v1.opt']
    path = "${path.join(CLUSTER.data, 'opt')}"
  [plugins.'io.containerd.cri.v1.images']
    snapshotter = "overlayfs"
    [plugins.'io.containerd.cri.v1.images'.pinned_images]
      sandbox = "${IMAGES.find((i) => i.file === 'pause').name}"
  [plugins.'io.containerd.cri.v1.runtime']
    enable_cdi = false
    # root here lacks CAP_SYS_RESOURCE (this sandbox drops it): no negative oom_score_adj, which
    # runc would fail on ("failed to update /proc/self/oom_score_adj: Permission denied").
    restrict_oom_score_adj = true
    netns_mounts_under_state_dir = true
    [plugins.'io.containerd.cri.v1.runtime'.containerd]
      default_runtime_name = "runc"
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
          BinaryName = "${sh('sh', ['-c', 'command -v runc']).trim()}"
          SystemdCgroup = false
          Root = "${path.join(CLUSTER.run, 'runc')}"
    [plugins.'io.containerd.cri.v1.runtime'.cni]
      bin_dirs = ["${CLUSTER.bin}"]
      conf_dir = "${CLUSTER.cniConf}"
  [plugins.'io.containerd.grpc.v1.cri']
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
`,
  );
  startDaemon('containerd', 'containerd', ['--config', config]);
  const s = await waitFor('containerd', () => trySh(bin('ctr'), ['--address', CLUSTER.containerdSock, 'version']).status === 0, {
    daemon: 'containerd',
    progress: log,
  });
  log(`containerd ready (${s.toFixed(1)} s)`);
  for (const image of IMAGES.filter((i) => fs.existsSync(path.join(CLUSTER.images, `${i.file}.tar`)))) {
    const have = trySh(bin('ctr'), ['--address', CLUSTER.containerdSock, '-n', 'k8s.io', 'images', 'check', `name==${image.name}`], {
      encoding: 'utf8',
    });
    const archive = path.join(CLUSTER.images, `${image.file}.tar`);
    const stampFile = path.join(CLUSTER.run, `image-${image.file}.imported`);
    const digest = fs.statSync(archive).mtimeMs.toString();
    if (have.stdout?.includes(image.name) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === digest) continue;
    const run = trySh(
      bin('ctr'),
      ['--address', CLUSTER.containerdSock, '-n', 'k8s.io', 'images', 'import', '--platform', 'linux/amd64', archive],
      { encoding: 'utf8' },
    );
    if (run.status !== 0) throw new ClusterError(`ctr images import ${archive} failed: ${run.stderr}`);
    fs.writeFileSync(stampFile, digest);
    log(`image ${image.name} imported into containerd`);
  }
}

export function writeCni() {
  fs.mkdirSync(CLUSTER.cniConf, { recursive: true });
  const [net0] = NET.podCIDR.split('/');
  const gateway = net0.replace(/\.0$/, '.1');
  write(
    path.join(CLUSTER.cniConf, '10-staycar.conflist'),
    `${JSON.stringify(
      {
        cniVersion: '1.0.0',
        name: 'staycar',
        plugins: [
          {
            type: 'bridge',
            bridge: NET.bridge,
            isGateway: true,
            ipMasq: false,
            hairpinMode: true,
            ipam: {
              type: 'host-local',
              ranges: [[{ subnet: NET.podCIDR, gateway }]],
              routes: [{ dst: '0.0.0.0/0' }],
              dataDir: CLUSTER.cniState,
            },
          },
        ],
      },
      null,
      2,
    )}\n`,
  );
}

export async function startNode() {
  const kubeletConfig = cfg(
    'kubelet.yaml',
    `# Written by scripts/cluster/up.mjs.
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${NET.nodeIP}
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: ${pkiFile('ca.crt')} }
authorization: { mode: Webhook }
tlsCertFile: ${pkiFile('kubelet-serving.crt')}
tlsPrivateKeyFile: ${pkiFile('kubelet-serving.key')}
clusterDNS: [${NET.dnsIP}]
clusterDomain: ${NET.clusterDomain}
containerRuntimeEndpoint: unix://${CLUSTER.containerdSock}
cgroupDriver: cgroupfs
# This VM mounts cgroup v1 (no systemd): the kubelet still runs there when told so.
failCgroupV1: false
failSwapOn: false
podLogsDir: ${CLUSTER.podLogs}
resolvConf: /etc/resolv.conf
maxPods: 110
serializeImagePulls: false
evictionHard: { memory.available: "500Mi", nodefs.available: "5%", imagefs.available: "5%" }
imageGCHighThresholdPercent: 95
imageGCLowThresholdPercent: 90
`,
  );
  fs.mkdirSync(CLUSTER.podLogs, { recursive: true });
  startDaemon('kubelet', 'kubelet', [
    `--config=${kubeletConfig}`,
    `--kubeconfig=${kubeconfigOf('kubelet')}`,
    `--root-dir=${CLUSTER.kubelet}`,
    `--hostname-override=${NET.nodeName}`,
    `--node-ip=${NET.nodeIP}`,
    '--v=1',
  ]);
  const proxyConfig = cfg(
    'kube-proxy.yaml',
    `# Written by scripts/cluster/up.mjs. nftables mode: all its rules live in its own tables (ip/ip6 kube-proxy).
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: nftables
clientConnection: { kubeconfig: ${kubeconfigOf('kube-proxy')} }
hostnameOverride: ${NET.nodeName}
clusterCIDR: ${NET.clusterCIDR}
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["${NET.nodeIP}/32"]
# 0: leave the host's conntrack sysctls as they are.
conntrack: { maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
`,
  );
  startDaemon('kube-proxy', 'kube-proxy', [`--config=${proxyConfig}`, '--v=1']);
  const s = await waitFor(
    `node ${NET.nodeName} Ready`,
    () => kubectl(['get', 'node', NET.nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).stdout === 'True',
    { daemon: 'kubelet', timeoutMs: 180_000, progress: log },
  );
  log(`node ${NET.nodeName} Ready (${s.toFixed(1)} s)`);
}

function applyManifest(file, vars = {}) {
  let text = fs.readFileSync(path.join(HERE, 'manifests', file), 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`\${${k}}`, v);
  const run = kubectl(['apply', '-f', '-'], { input: text });
  if (run.status !== 0) throw new ClusterError(`kubectl apply ${file} failed: ${run.stderr}`);
}

async function rollout(ns, name) {
  const s = await waitFor(
    `deployment ${ns}/${name}`,
    () => kubectl(['-n', ns, 'rollout', 'status', `deployment/${name}`, '--timeout=2s']).status === 0,
    { daemon: 'kubelet', timeoutMs: 180_000, progress: log },
  );
  return s;
}

/**
 * Storage for StatefulSets (Dapr's scheduler, later the stores): a default StorageClass without a
 * provisioner and PersistentVolumes made ahead, each a folder .data/cluster/volumes/pv-NN (hostPath,
 * writable by the non-root users of the images). A released volume is kept (Retain); `cluster:down
 * -- --purge` wipes them.
 */
export const VOLUMES = 12;
export function ensureStorage() {
  const docs = [
    `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: { storageclass.kubernetes.io/is-default-class: "true" }
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Retain`,
  ];
  for (let i = 1; i <= VOLUMES; i++) {
    const name = `pv-${String(i).padStart(2, '0')}`;
    const dir = path.join(CLUSTER.volumes, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o1777);
    docs.push(`apiVersion: v1
kind: PersistentVolume
metadata: { name: staycar-${name}, labels: { staycar.local/volume: "${name}" } }
spec:
  capacity: { storage: 50Gi }
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: standard
  hostPath: { path: ${dir}, type: Directory }
  nodeAffinity:
    required:
      nodeSelectorTerms: [{ matchExpressions: [{ key: kubernetes.io/hostname, operator: In, values: [${NET.nodeName}] }] }]`);
  }
  const run = kubectl(['apply', '-f', '-'], { input: docs.join('\n---\n') });
  if (run.status !== 0) throw new ClusterError(`kubectl apply of the storage failed: ${run.stderr}`);
  log(`storage: default StorageClass standard, ${VOLUMES} PersistentVolumes in ${CLUSTER.volumes}`);
}

export async function smoke() {
  applyManifest('coredns.yaml', { DNS_IP: NET.dnsIP, CLUSTER_DOMAIN: NET.clusterDomain });
  applyManifest('hello.yaml');
  log(`CoreDNS rolled out (${(await rollout('kube-system', 'coredns')).toFixed(1)} s)`);
  log(`hello rolled out (${(await rollout('default', 'hello')).toFixed(1)} s)`);
  const pod = JSON.parse(kubectl(['get', 'pods', '-l', 'app=hello', '-o', 'json']).stdout).items[0];
  const clusterIP = kubectl(['get', 'svc', 'hello', '-o', 'jsonpath={.spec.clusterIP}']).stdout;
  const fetchText = async (url) => {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return (await res.text()).trim();
  };
  const direct = await fetchText(`http://${pod.status.podIP}:8000/`);
  let viaService = '';
  await waitFor(
    `Service hello (${clusterIP}) through kube-proxy`,
    async () => {
      viaService = await fetchText(`http://${clusterIP}/`).catch(() => '');
      return viaService.startsWith('hello');
    },
    { daemon: 'kube-proxy', timeoutMs: 60_000, progress: log },
  );
  const { Resolver } = await import('node:dns/promises');
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([NET.dnsIP]);
  let resolved = [];
  await waitFor(
    'CoreDNS answering hello.default.svc',
    async () => {
      resolved = await resolver.resolve4(`hello.default.svc.${NET.clusterDomain}`).catch(() => []);
      return resolved.includes(clusterIP);
    },
    { timeoutMs: 60_000, progress: log },
  );
  log(
    `smoke: pod ${pod.metadata.name} Running at ${pod.status.podIP}: "${direct}"; through Service ${clusterIP}: "${viaService}"; DNS hello.default.svc.${NET.clusterDomain} → ${resolved.join(', ')}`,
  );
}

/** metrics-server, through the API server's aggregation: `kubectl top` answers (the HPAs need it). */
export async function metrics() {
  applyManifest('metrics-server.yaml');
  log(`metrics-server rolled out (${(await rollout('kube-system', 'metrics-server')).toFixed(1)} s)`);
  let top = '';
  const s = await waitFor(
    'resource metrics (kubectl top node)',
    () => {
      const run = kubectl(['top', 'node', '--no-headers']);
      top = run.stdout?.trim() ?? '';
      return run.status === 0 && top !== '';
    },
    { timeoutMs: 120_000, progress: log },
  );
  log(`metrics: kubectl top node → ${top.replace(/\s+/g, ' ')} (${s.toFixed(1)} s)`);
}

async function main() {
  preflight();
  const made = ensurePki();
  if (made.length > 0) log(`certificates made: ${made.join(', ')} (in ${CLUSTER.pki})`);
  ensureNodeAddress();
  // Forwarding for Services between pods; and the kernel settings the kubelet insists on (it sets
  // them itself otherwise, and never puts them back): set here, saved, and restored by cluster:down.
  const saved = setSysctls({
    'net.ipv4.ip_forward': 1,
    'net.bridge.bridge-nf-call-iptables': 1,
    'vm.overcommit_memory': 1,
    'vm.panic_on_oom': 0,
    'kernel.panic': 10,
    'kernel.panic_on_oops': 1,
  });
  if (Object.keys(saved).length > 0)
    log(
      `sysctls changed until cluster:down (old values kept): ${Object.entries(saved)
        .map(([k, v]) => `${k} was ${v}`)
        .join(', ')}`,
    );
  rememberNftTables();
  ensureFirewall();
  log(
    `node address ${NET.nodeIP} on lo (${NET.nodeLabel}); pods ${NET.podCIDR} on ${NET.bridge}; services ${NET.serviceCIDR}; nftables table inet staycar-k8s keeps pod traffic local`,
  );
  await startEtcd();
  await startControlPlane();
  writeCni();
  await startContainerd();
  await startNode();
  ensureStorage();
  await smoke();
  await metrics();
  const nodes = kubectl(['get', 'nodes', '-o', 'wide']).stdout;
  console.log(nodes);
  console.log(kubectl(['get', 'pods', '-A', '-o', 'wide']).stdout);
  log(
    `cluster up. export KUBECONFIG=${CLUSTER.kubeconfig}; kubectl is ${bin('kubectl')}; logs in ${CLUSTER.logs}; stop with npm run cluster:down`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  main().catch((error) => {
    console.error(`[cluster:up] ${error instanceof ClusterError ? error.message : (error.stack ?? error)}`);
    console.error('[cluster:up] the pieces that started are still running: npm run cluster:down stops them');
    process.exit(1);
  });
