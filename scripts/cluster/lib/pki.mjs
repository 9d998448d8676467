// The local cluster's certificates, made here with openssl (ECDSA P-256): one cluster CA, a front-proxy
// CA (for aggregated APIs such as metrics-server), the service-account signing key, and a leaf per
// component, each with the name and group its RBAC role expects. Made once into .data/cluster/pki/ and
// kept; a missing file is made again from the CA (a missing CA makes them all again).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLUSTER, NET } from './layout.mjs';

const DAYS = '3650';

const openssl = (args, opts = {}) => execFileSync('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
const file = (name) => path.join(CLUSTER.pki, name);

function ecKey(out) {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out]);
  fs.chmodSync(out, 0o600);
}

function makeCA(name, cn) {
  ecKey(file(`${name}.key`));
  openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    file(`${name}.key`),
    '-subj',
    `/CN=${cn}`,
    '-days',
    DAYS,
    '-out',
    file(`${name}.crt`),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
}

/** A leaf certificate signed by `ca`: `subject` like /CN=x/O=y, `usage` serverAuth|clientAuth, `sans` ['DNS:…', 'IP:…']. */
function makeLeaf(name, { ca = 'ca', subject, usage, sans = [] }) {
  ecKey(file(`${name}.key`));
  const csr = file(`${name}.csr`);
  openssl(['req', '-new', '-key', file(`${name}.key`), '-subj', subject, '-out', csr]);
  const ext = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${usage.join(',')}`,
    ...(sans.length > 0 ? [`subjectAltName=${sans.join(',')}`] : []),
  ].join('\n');
  const extFile = file(`${name}.ext`);
  fs.writeFileSync(extFile, `${ext}\n`);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    file(`${ca}.crt`),
    '-CAkey',
    file(`${ca}.key`),
    '-CAcreateserial',
    '-days',
    DAYS,
    '-extfile',
    extFile,
    '-out',
    file(`${name}.crt`),
  ]);
  fs.rmSync(csr);
  fs.rmSync(extFile);
}

export const LEAVES = {
  apiserver: {
    subject: '/CN=kube-apiserver',
    usage: ['serverAuth'],
    sans: [
      'DNS:kubernetes',
      'DNS:kubernetes.default',
      'DNS:kubernetes.default.svc',
      `DNS:kubernetes.default.svc.${NET.clusterDomain}`,
      'DNS:localhost',
      'IP:127.0.0.1',
      `IP:${NET.apiServiceIP}`,
      `IP:${NET.nodeIP}`,
    ],
  },
  'apiserver-kubelet-client': { subject: '/O=system:masters/CN=kube-apiserver-kubelet-client', usage: ['clientAuth'] },
  admin: { subject: '/O=system:masters/CN=kubernetes-admin', usage: ['clientAuth'] },
  'controller-manager': { subject: '/CN=system:kube-controller-manager', usage: ['clientAuth'] },
  scheduler: { subject: '/CN=system:kube-scheduler', usage: ['clientAuth'] },
  'kube-proxy': { subject: '/CN=system:kube-proxy', usage: ['clientAuth'] },
  kubelet: { subject: `/O=system:nodes/CN=system:node:${NET.nodeName}`, usage: ['clientAuth'] },
  'kubelet-serving': {
    subject: `/CN=${NET.nodeName}`,
    usage: ['serverAuth'],
    sans: [`DNS:${NET.nodeName}`, 'DNS:localhost', 'IP:127.0.0.1', `IP:${NET.nodeIP}`],
  },
  'front-proxy-client': { ca: 'front-proxy-ca', subject: '/CN=front-proxy-client', usage: ['clientAuth'] },
};

/** A kubeconfig for `user` (a leaf above) talking to the API server on the node's address. */
function kubeconfig(user, out) {
  const b64 = (f) => fs.readFileSync(file(f)).toString('base64');
  const text = `apiVersion: v1
kind: Config
clusters:
- name: staycar
  cluster:
    server: https://${NET.nodeIP}:${NET.apiPort}
    certificate-authority-data: ${b64('ca.crt')}
users:
- name: ${user}
  user:
    client-certificate-data: ${b64(`${user}.crt`)}
    client-key-data: ${b64(`${user}.key`)}
contexts:
- name: staycar
  context:
    cluster: staycar
    user: ${user}
current-context: staycar
`;
  fs.writeFileSync(out, text, { mode: 0o600 });
}

export const KUBECONFIG_USERS = ['admin', 'controller-manager', 'scheduler', 'kube-proxy', 'kubelet'];
export const kubeconfigOf = (user) => file(`${user}.kubeconfig`);

/** Makes whatever is missing. Answers the names made. */
export function ensurePki() {
  fs.mkdirSync(CLUSTER.pki, { recursive: true, mode: 0o700 });
  const made = [];
  for (const [ca, cn] of [
    ['ca', 'staycar-k8s-ca'],
    ['front-proxy-ca', 'staycar-k8s-front-proxy-ca'],
  ]) {
    if (!fs.existsSync(file(`${ca}.crt`)) || !fs.existsSync(file(`${ca}.key`))) {
      makeCA(ca, cn);
      made.push(ca);
      // Every leaf of this CA is made again.
      for (const [name, spec] of Object.entries(LEAVES)) if ((spec.ca ?? 'ca') === ca) fs.rmSync(file(`${name}.crt`), { force: true });
    }
  }
  if (!fs.existsSync(file('sa.key'))) {
    ecKey(file('sa.key'));
    openssl(['pkey', '-in', file('sa.key'), '-pubout', '-out', file('sa.pub')]);
    made.push('sa');
  }
  for (const [name, spec] of Object.entries(LEAVES)) {
    if (fs.existsSync(file(`${name}.crt`)) && fs.existsSync(file(`${name}.key`))) continue;
    makeLeaf(name, spec);
    made.push(name);
  }
  for (const user of KUBECONFIG_USERS) kubeconfig(user, kubeconfigOf(user));
  return made;
}

export const pkiFile = file;
