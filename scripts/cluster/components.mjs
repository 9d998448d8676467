import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../lib/paths.mjs';

// What `npm run cluster:build` builds: every piece of the local Kubernetes cluster that Debian 12 lacks
// or ships too old, each from its Go module through a wrapper module in tools/k8s/<module>/ (go.mod +
// go.sum pin the versions), and the images the cluster itself needs, built here (no registry).
//
// The versions are the ones Kubernetes v1.37.2 names for itself (build/dependencies.yaml, kubeadm's
// constants): etcd 3.7.0, CNI plugins 1.9.1, CoreDNS v1.14.6, pause 3.10.2. containerd is 2.2.9
// (the kubelet of Kubernetes ≥ 1.36 needs containerd ≥ 2.0; Debian 12 has 1.6), runc is Debian's.

export const KUBERNETES_VERSION = 'v1.37.2';

/** The binaries of Dapr's control plane (an image each). */
export const DAPR_CONTROL_PLANE = ['operator', 'injector', 'sentry', 'placement', 'scheduler'];

/** Dapr's version: tools/versions.json, the one the local run's daprd is built at. */
export const DAPR_VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'versions.json'), 'utf8')).dapr;

const k8sLdflags = (v) => {
  const [, major, minor] = /^v(\d+)\.(\d+)/.exec(v);
  return [
    `-X k8s.io/component-base/version.gitVersion=${v}`,
    `-X k8s.io/component-base/version.gitMajor=${major}`,
    `-X k8s.io/component-base/version.gitMinor=${minor}`,
    '-X k8s.io/component-base/version.gitTreeState=clean',
    `-X k8s.io/client-go/pkg/version.gitVersion=${v}`,
    `-X k8s.io/client-go/pkg/version.gitMajor=${major}`,
    `-X k8s.io/client-go/pkg/version.gitMinor=${minor}`,
  ];
};

/**
 * One entry per wrapper module. `binaries`: name → { pkg, args (to print the version), expect (a
 * text the output must hold) }. `ldflags` are added to `-s -w`. `expected`: what a cold build took
 * here (2 cores, `nice -n 19`, other engineers' builds and tests beside it), for the progress lines.
 * `forDapr`: needed only to install Dapr into the cluster, not by `cluster:up` itself.
 */
export const COMPONENTS = [
  {
    name: 'kubernetes',
    version: KUBERNETES_VERSION,
    module: 'kubernetes',
    expected: 'about 35 minutes cold (kube-apiserver alone about 25; the rest share its packages)',
    ldflags: k8sLdflags(KUBERNETES_VERSION),
    binaries: {
      'kube-apiserver': { pkg: 'k8s.io/kubernetes/cmd/kube-apiserver', args: ['--version'], expect: `Kubernetes ${KUBERNETES_VERSION}` },
      'kube-controller-manager': {
        pkg: 'k8s.io/kubernetes/cmd/kube-controller-manager',
        args: ['--version'],
        expect: `Kubernetes ${KUBERNETES_VERSION}`,
      },
      'kube-scheduler': { pkg: 'k8s.io/kubernetes/cmd/kube-scheduler', args: ['--version'], expect: `Kubernetes ${KUBERNETES_VERSION}` },
      kubelet: { pkg: 'k8s.io/kubernetes/cmd/kubelet', args: ['--version'], expect: `Kubernetes ${KUBERNETES_VERSION}` },
      'kube-proxy': { pkg: 'k8s.io/kubernetes/cmd/kube-proxy', args: ['--version'], expect: `Kubernetes ${KUBERNETES_VERSION}` },
      kubectl: { pkg: 'k8s.io/kubernetes/cmd/kubectl', args: ['version', '--client'], expect: `Client Version: ${KUBERNETES_VERSION}` },
    },
  },
  {
    name: 'etcd',
    version: 'v3.7.0',
    module: 'etcd',
    expected: 'about 3–4 minutes cold',
    ldflags: [],
    binaries: {
      etcd: { pkg: 'go.etcd.io/etcd/server/v3', args: ['--version'], expect: 'etcd Version: 3.7.0' },
      etcdctl: { pkg: 'go.etcd.io/etcd/etcdctl/v3', args: ['version'], expect: 'etcdctl version: 3.7.0' },
    },
  },
  {
    name: 'containerd',
    version: 'v2.2.9',
    module: 'containerd',
    expected: 'about 5–6 minutes cold',
    ldflags: [
      '-X github.com/containerd/containerd/v2/version.Version=v2.2.9',
      '-X github.com/containerd/containerd/v2/version.Package=github.com/containerd/containerd/v2',
    ],
    binaries: {
      containerd: { pkg: 'github.com/containerd/containerd/v2/cmd/containerd', args: ['--version'], expect: 'v2.2.9' },
      'containerd-shim-runc-v2': { pkg: 'github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2', args: ['-v'], expect: 'v2.2.9' },
      ctr: { pkg: 'github.com/containerd/containerd/v2/cmd/ctr', args: ['--version'], expect: 'v2.2.9' },
    },
  },
  {
    name: 'cni-plugins',
    version: 'v1.9.1',
    module: 'cni',
    expected: 'under a minute cold',
    ldflags: ['-X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=v1.9.1'],
    binaries: {
      bridge: { pkg: 'github.com/containernetworking/plugins/plugins/main/bridge', env: { CNI_COMMAND: 'VERSION' }, expect: 'cniVersion' },
      'host-local': {
        pkg: 'github.com/containernetworking/plugins/plugins/ipam/host-local',
        env: { CNI_COMMAND: 'VERSION' },
        expect: 'cniVersion',
      },
      loopback: {
        pkg: 'github.com/containernetworking/plugins/plugins/main/loopback',
        env: { CNI_COMMAND: 'VERSION' },
        expect: 'cniVersion',
      },
      portmap: {
        pkg: 'github.com/containernetworking/plugins/plugins/meta/portmap',
        env: { CNI_COMMAND: 'VERSION' },
        expect: 'cniVersion',
      },
    },
  },
  {
    name: 'coredns',
    version: 'v1.14.6',
    module: 'coredns',
    expected: 'about 7–8 minutes cold',
    ldflags: [],
    binaries: {
      coredns: { pkg: 'github.com/coredns/coredns', args: ['-version'], expect: 'CoreDNS-1.14.6' },
    },
  },
  {
    // Resource metrics (kubectl top, the HPAs of deploy/), served through the API server's aggregation.
    name: 'metrics-server',
    version: 'v0.8.0',
    module: 'metrics-server',
    expected: 'about 5–8 minutes cold',
    ldflags: ['-X k8s.io/client-go/pkg/version.gitVersion=v0.8.0'],
    binaries: {
      'metrics-server': { pkg: 'sigs.k8s.io/metrics-server/cmd/metrics-server', args: ['--version'], expect: 'v0.8.0' },
    },
  },
  {
    name: 'helm',
    forDapr: true,
    version: 'v3.22.0',
    module: 'helm',
    expected: 'about 6 minutes cold',
    ldflags: ['-X helm.sh/helm/v3/internal/version.version=v3.22.0'],
    binaries: {
      helm: { pkg: 'helm.sh/helm/v3/cmd/helm', args: ['version', '--short'], expect: 'v3.22.0' },
    },
  },
  {
    name: 'crictl',
    version: 'v1.37.0',
    module: 'crictl',
    expected: 'about 2–3 minutes cold',
    ldflags: ['-X sigs.k8s.io/cri-tools/pkg/version.Version=v1.37.0'],
    binaries: {
      crictl: { pkg: 'sigs.k8s.io/cri-tools/cmd/crictl', args: ['--version'], expect: 'v1.37.0' },
    },
  },
  {
    // Dapr's control plane (the binaries of Dapr's own `dapr` image), for the Helm chart that ships in
    // the same module. The sidecar is our patched daprd (tools/daprd, scripts/lib/daprd-build.mjs).
    name: 'dapr',
    forDapr: true,
    version: DAPR_VERSION,
    module: 'dapr',
    expected: 'about 5 minutes once daprd was built (most packages are shared), longer cold',
    ldflags: [`-X github.com/dapr/dapr/pkg/buildinfo.version=${DAPR_VERSION}`, `-X github.com/dapr/kit/logger.DaprVersion=${DAPR_VERSION}`],
    binaries: Object.fromEntries(
      DAPR_CONTROL_PLANE.map((bin) => [bin, { pkg: `github.com/dapr/dapr/cmd/${bin}`, args: ['--help'], expect: 'Usage' }]),
    ),
  },
  {
    name: 'hello',
    version: 'v1',
    module: 'hello',
    expected: 'a few seconds',
    ldflags: [],
    binaries: {
      hello: { pkg: 'staycar.local/tools/k8s/hello', args: ['--version'], expect: 'staycar-hello v1' },
    },
  },
];

/**
 * Images the cluster needs, built here as OCI archives (scripts/cluster/lib/oci.mjs) and imported
 * into containerd's k8s.io namespace by `cluster:up`. `from`: the binaries (component/binary) put
 * into an otherwise empty root file system.
 */
export const IMAGES = [
  {
    // The sandbox ("pause") container of every pod: Kubernetes' own pause.c, linked statically.
    name: 'registry.k8s.io/pause:3.10.2',
    file: 'pause',
    build: 'pause',
    config: { Entrypoint: ['/pause'], User: '65535:65535' },
  },
  {
    name: 'registry.k8s.io/coredns/coredns:v1.14.6',
    file: 'coredns',
    from: { '/coredns': 'coredns/coredns' },
    config: { Entrypoint: ['/coredns'], User: '65532:65532', ExposedPorts: { '53/udp': {}, '53/tcp': {}, '9153/tcp': {} } },
  },
  {
    name: 'registry.k8s.io/metrics-server/metrics-server:v0.8.0',
    file: 'metrics-server',
    from: { '/metrics-server': 'metrics-server/metrics-server' },
    config: { Entrypoint: ['/metrics-server'], User: '65532:65532', ExposedPorts: { '10250/tcp': {} } },
  },
  {
    // A trivial pod for `cluster:up`'s smoke test: answers HTTP on :8000 with its host name.
    name: 'staycar.local/hello:v1',
    file: 'hello',
    from: { '/hello': 'hello/hello' },
    config: { Entrypoint: ['/hello'], User: '65532:65532', ExposedPorts: { '8000/tcp': {} } },
  },
  // Dapr's control plane: one image per binary, as Dapr 1.18 publishes them (<registry>/<bin>:<tag>),
  // each running /<bin> as the chart's command says.
  ...DAPR_CONTROL_PLANE.map((bin) => ({
    name: `staycar.local/${bin}:${DAPR_VERSION}`,
    file: `dapr-${bin}`,
    forDapr: true,
    from: { [`/${bin}`]: `dapr/${bin}` },
    config: { Entrypoint: [`/${bin}`], User: '65532:65532', WorkingDir: '/' },
  })),
  {
    // The sidecar: our patched daprd (tools/daprd/patches), not the official image's.
    name: `staycar.local/daprd:${DAPR_VERSION}-staycar`,
    file: 'daprd',
    forDapr: true,
    build: 'daprd',
    config: { Entrypoint: ['/daprd'], User: '65532:65532', WorkingDir: '/' },
  },
];
