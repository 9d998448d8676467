// Where the local cluster keeps things, and the addresses it uses. Data lives in the checkout's
// .data/cluster/ (git-ignored); only what must be short or volatile lives in /run/staycar-k8s/
// (containerd's state: its shim sockets' paths must fit in 108 bytes).
import path from 'node:path';
import { ROOT } from '../../lib/paths.mjs';

const data = path.join(process.env.STAYCAR_DATA_DIR ?? path.join(ROOT, '.data'), 'cluster');
const run = process.env.STAYCAR_CLUSTER_RUN ?? '/run/staycar-k8s';

export const CLUSTER = {
  data,
  bin: path.join(data, 'bin'),
  images: path.join(data, 'images'),
  pki: path.join(data, 'pki'),
  config: path.join(data, 'config'),
  logs: path.join(data, 'logs'),
  etcd: path.join(data, 'etcd'),
  containerdRoot: path.join(data, 'containerd'),
  kubelet: path.join(data, 'kubelet'),
  podLogs: path.join(data, 'pod-logs'),
  volumes: path.join(data, 'volumes'),
  cniConf: path.join(data, 'cni', 'net.d'),
  cniState: path.join(data, 'cni', 'state'),
  run,
  pids: path.join(run, 'pids'),
  containerdState: path.join(run, 'containerd'),
  containerdSock: path.join(run, 'containerd.sock'),
  kubeconfig: path.join(data, 'pki', 'admin.kubeconfig'),
};

/**
 * Addresses. The node's address sits on the loopback interface (label lo:staycar, not on eth0), so
 * the API server and the kubelet listen only there and on 127.0.0.1, and the certificates hold whatever the
 * machine's own address is. The ranges are picked away from the host's networks (192.0.2.0/24 here)
 * and the usual Docker/kind/minikube ones; `cluster:up` refuses to start if a route overlaps them.
 */
export const NET = {
  nodeName: 'staycar',
  nodeLabel: 'lo:staycar',
  nodeIP: '10.215.0.1',
  podCIDR: '10.213.0.0/24',
  clusterCIDR: '10.213.0.0/16',
  bridge: 'staycar-cni0',
  serviceCIDR: '10.214.0.0/24',
  apiServiceIP: '10.214.0.1',
  dnsIP: '10.214.0.10',
  clusterDomain: 'cluster.local',
  apiPort: 6443,
  etcdClientPort: 2379,
  etcdPeerPort: 2380,
};
