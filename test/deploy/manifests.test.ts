/**
 * deploy/ validated without a cluster: both overlays are rendered (test/deploy/support/kustomize.ts,
 * compared with `kubectl kustomize` where kubectl is installed), every Kubernetes object is checked
 * with the kubernetes-models schemas (plus unknown fields), every Dapr object with the schemas of
 * Dapr 1.18's CRDs, and the whole against what the services and dapr.yaml expect — including the
 * local run's sealing (dapr/config.yaml's access-control policy, dapr/sentry.yaml's mTLS, the
 * pub/sub scopes, the sidecar/app tokens) and the NetworkPolicies, evaluated pod pair by pod pair.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import express from 'express';
import { parse as parseYaml } from 'yaml';
import { loadConfig as loadGatewayConfig } from '../../services/gateway/src/config';
import { daprSchemas, resiliencySchema } from './support/dapr-schemas';
import { isObject, objectId, readObjects, renderKustomization, type Json, type JsonObject, type K8sObject } from './support/kustomize';

const ROOT = path.resolve(__dirname, '..', '..');
const OVERLAYS = ['local', 'production'] as const;
type Overlay = (typeof OVERLAYS)[number];

// ---------------------------------------------------------------------------------------------
// What the rest of the repository says (dapr.yaml, services' config, components/default).

interface DaprApp {
  appID: string;
  appPort: number;
  env?: Record<string, string>;
}
interface DaprRunFile {
  common: { appHealthCheckPath: string; env?: Record<string, string> };
  apps: DaprApp[];
}
const daprRun = parseYaml(fs.readFileSync(path.join(ROOT, 'dapr.yaml'), 'utf8')) as DaprRunFile;
const APPS = daprRun.apps;
const APP_IDS = APPS.map((a) => a.appID);

/** Environment variables a service reads: env*('NAME' …) in its src/ and in services/common/src. */
function envReadBy(appId: string): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const source = fs.readFileSync(full, 'utf8');
        for (const m of source.matchAll(/\benv(?:String|Int|Bool|List)\(\s*'([A-Z0-9_]+)'/g)) names.add(m[1]);
        // The gateway's optional('NAME') (services/gateway/src/config.ts): REDIS_PASSWORD, DAPR_API_TOKEN.
        for (const m of source.matchAll(/\boptional\(\s*'([A-Z0-9_]+)'/g)) names.add(m[1]);
        for (const m of source.matchAll(/process\.env\.([A-Z0-9_]+)/g)) names.add(m[1]);
        // The standard OTEL_* variables of services/common/src/telemetry/config.ts.
        for (const m of source.matchAll(/\benvValue\(\w+,\s*'([A-Z0-9_]+)'/g)) names.add(m[1]);
        for (const m of source.matchAll(/process\.env\[\s*'([A-Z0-9_]+)'\s*\]/g)) names.add(m[1]);
      }
    }
  };
  walk(path.join(ROOT, 'services', 'common', 'src'));
  walk(path.join(ROOT, 'services', appId, 'src'));
  return names;
}

/**
 * identity's settings whose names look like credentials but only name a secret store, a secret in
 * it, or a token lifetime (services/identity/src/config.ts): configuration from the ConfigMap.
 */
const NAMES_NOT_CREDENTIALS = new Set(['SECRET_STORE', 'SIGNING_KEYS_SECRET', 'TOKEN_TTL_SECONDS']);

/**
 * Addresses that end in _URL but hold no credentials, so they may come from the ConfigMap: the
 * gateway's REDIS_URL (its password is REDIS_PASSWORD, from a Secret). The test checks the value
 * has no user or password in it.
 */
const URLS_WITHOUT_CREDENTIALS = new Set(['REDIS_URL']);

// ---------------------------------------------------------------------------------------------
// Small accessors over rendered objects.

const rendered: Record<Overlay, K8sObject[]> = {
  local: renderKustomization(path.join(ROOT, 'deploy', 'overlays', 'local')),
  production: renderKustomization(path.join(ROOT, 'deploy', 'overlays', 'production')),
};

function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}
function find(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}
function get(value: Json | undefined, ...keys: (string | number)[]): Json | undefined {
  let node: Json | undefined = value;
  for (const key of keys) {
    if (typeof key === 'number') node = Array.isArray(node) ? node[key] : undefined;
    else node = isObject(node) ? node[key] : undefined;
  }
  return node;
}
function objects(value: Json | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

interface Workload {
  deployment: K8sObject;
  annotations: Record<string, string>;
  podSpec: JsonObject;
  container: JsonObject;
}
function workload(all: K8sObject[], appId: string): Workload {
  const deployment = ofKind(all, 'Deployment').find(
    (d) => get(d, 'spec', 'template', 'metadata', 'annotations', 'dapr.io/app-id') === appId,
  );
  if (!deployment) throw new Error(`no Deployment with dapr.io/app-id ${appId}`);
  const podSpec = get(deployment, 'spec', 'template', 'spec');
  if (!isObject(podSpec)) throw new Error(`${appId}: no pod spec`);
  const containers = objects(podSpec.containers);
  expect(containers).toHaveLength(1);
  return {
    deployment,
    annotations: (get(deployment, 'spec', 'template', 'metadata', 'annotations') ?? {}) as Record<string, string>,
    podSpec,
    container: containers[0],
  };
}

/** Every secretKeyRef / configMapKeyRef in the objects, with where it was found. */
function references(all: K8sObject[]): { kind: 'Secret' | 'ConfigMap'; name: string; key: string; from: string }[] {
  const found: { kind: 'Secret' | 'ConfigMap'; name: string; key: string; from: string }[] = [];
  const visit = (node: Json | undefined, from: string, inComponent: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, from, inComponent));
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (
        (key === 'secretKeyRef' || key === 'configMapKeyRef') &&
        isObject(value) &&
        typeof value.name === 'string' &&
        typeof value.key === 'string'
      ) {
        found.push({ kind: key === 'secretKeyRef' ? 'Secret' : 'ConfigMap', name: value.name, key: value.key, from });
      } else visit(value, from, inComponent);
    }
  };
  for (const o of all) visit(o, objectId(o), o.kind === 'Component');
  return found;
}

/** What a container's env entry resolves to in the rendered objects (undefined: a Secret not shipped). */
function envValue(all: K8sObject[], entry: JsonObject | undefined): string | undefined {
  if (!entry) return undefined;
  if (typeof entry.value === 'string') return entry.value;
  const configMap = get(entry, 'valueFrom', 'configMapKeyRef');
  if (isObject(configMap)) {
    const value = get(find(all, 'ConfigMap', String(configMap.name)), 'data', String(configMap.key));
    return typeof value === 'string' ? value : undefined;
  }
  const secret = get(entry, 'valueFrom', 'secretKeyRef');
  if (isObject(secret)) {
    const target = find(all, 'Secret', String(secret.name));
    const plain = get(target, 'stringData', String(secret.key));
    if (typeof plain === 'string') return plain;
    const encoded = get(target, 'data', String(secret.key));
    return typeof encoded === 'string' ? Buffer.from(encoded, 'base64').toString('utf8') : undefined;
  }
  return undefined;
}

/** The gateway's own configuration (services/gateway/src/config.ts) for these variables, the process's restored after. */
function gatewayConfigWith(env: Record<string, string>): ReturnType<typeof loadGatewayConfig> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    return loadGatewayConfig();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** The value after `--name` in a redis-server argument list. */
function redisArg(args: Json | undefined, name: string): string | undefined {
  const list = Array.isArray(args) ? args.map(String) : [];
  const at = list.indexOf(`--${name}`);
  return at === -1 ? undefined : list[at + 1];
}

function secretKeys(secret: K8sObject): string[] {
  const data = { ...(isObject(secret.data) ? secret.data : {}), ...(isObject(secret.stringData) ? secret.stringData : {}) };
  return Object.keys(data);
}

function hasKubectlKustomize(): boolean {
  const probe = spawnSync('kubectl', ['kustomize', '--help'], { encoding: 'utf8', timeout: 20_000 });
  return probe.status === 0;
}

/** Runs test/deploy/support/validate-k8s.mjs (kubernetes-models is ESM-only; Jest here is CommonJS). */
function validateWithKubernetesModels(all: K8sObject[]): { id: string; errors: string[] }[] {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'support', 'validate-k8s.mjs')], {
    cwd: ROOT,
    input: JSON.stringify(all),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const results: unknown = JSON.parse(out);
  if (!Array.isArray(results)) throw new Error('validate-k8s.mjs answered no list');
  return results.map((r) => {
    if (!isObject(r) || typeof r.id !== 'string' || !Array.isArray(r.errors)) throw new Error('validate-k8s.mjs answered a bad result');
    return { id: r.id, errors: r.errors.map(String) };
  });
}

function isDapr(o: K8sObject): boolean {
  return o.apiVersion.startsWith('dapr.io/');
}

const ajv = new Ajv({ allErrors: true, strict: true });
const validators = Object.fromEntries(Object.entries(daprSchemas).map(([kind, schema]) => [kind, ajv.compile(schema)]));

function daprErrors(o: K8sObject): string[] {
  const validate = validators[o.kind];
  if (!validate) return [`no schema for Dapr kind ${o.kind}`];
  if (validate(o)) return [];
  return (validate.errors ?? []).map((e) =>
    `${e.instancePath || '/'} ${e.message ?? ''} ${e.params ? JSON.stringify(e.params) : ''}`.trim(),
  );
}

/** Removes what a schema (with additionalProperties: false) does not define; returns the removed paths. */
function pruneToSchema(value: Json, schema: Record<string, unknown>, pointer = ''): { value: Json; dropped: string[] } {
  const dropped: string[] = [];
  if (Array.isArray(value)) {
    const items = isObject(schema.items) ? (schema.items as Record<string, unknown>) : {};
    return {
      value: value.map((v, i) => {
        const r = pruneToSchema(v, items, `${pointer}/${i}`);
        dropped.push(...r.dropped);
        return r.value;
      }),
      dropped,
    };
  }
  if (!isObject(value)) return { value, dropped };
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const additional = schema.additionalProperties;
  const result: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    const childSchema = properties[key] ?? (isObject(additional) ? additional : additional === false ? undefined : {});
    if (!childSchema) {
      dropped.push(`${pointer}/${key}`);
      continue;
    }
    const r = pruneToSchema(child, childSchema, `${pointer}/${key}`);
    dropped.push(...r.dropped);
    result[key] = r.value;
  }
  return { value: result, dropped };
}

/** Dapr's access-control decision on the called sidecar (pkg/acl in dapr 1.18.2), for an HTTP invocation. */
function aclAllows(
  configuration: K8sObject,
  caller: { appId: string; namespace: string; trustDomain?: string } | null,
  operation: string,
  verb: string,
): boolean {
  const spec = get(configuration, 'spec', 'accessControl');
  if (!isObject(spec)) return true;
  const globalAction = typeof spec.defaultAction === 'string' ? spec.defaultAction.toLowerCase() : 'deny';
  if (!caller) return globalAction === 'allow';
  const policy = objects(spec.policies).find((p) => p.appId === caller.appId && p.namespace === caller.namespace);
  if (!policy || policy.trustDomain !== (caller.trustDomain ?? 'public')) return globalAction === 'allow';
  let action = typeof policy.defaultAction === 'string' ? policy.defaultAction : globalAction;
  const op = operation.toLowerCase();
  for (const rule of objects(policy.operations)) {
    const name = String(rule.name).toLowerCase();
    const matches = name.endsWith('/**')
      ? op.startsWith(name.slice(0, -2))
      : name.endsWith('/*')
        ? op.startsWith(name.slice(0, -1)) && !op.slice(name.length - 1).includes('/')
        : op === name;
    if (!matches) continue;
    const verbs = Array.isArray(rule.httpVerb) ? rule.httpVerb.map(String) : [];
    if (verbs.includes(verb) || verbs.includes('*')) action = String(rule.action);
    break;
  }
  return action.toLowerCase() === 'allow';
}

/**
 * The Secrets deploy/README.md tells you to create, with their keys: every
 * `create secret generic NAME … --from-literal=KEY=… / --from-file=KEY=…` command (continuation
 * lines joined), a `$var` in NAME expanded over the words of a `for var in …; do` loop.
 */
function documentedSecrets(readme: string): Map<string, Set<string>> {
  const text = readme.replace(/\\\n\s*/g, ' ');
  const loops = new Map<string, string[]>();
  for (const m of text.matchAll(/\bfor (\w+) in ([^;\n]+); do\b/g)) loops.set(m[1], m[2].trim().split(/\s+/));
  const found = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const m = /create secret generic (\S+)(.*)$/.exec(line);
    if (!m) continue;
    const keys = [...m[2].matchAll(/--from-(?:literal|file)=([\w.-]+)=/g)].map((k) => k[1]);
    let names = [m[1].replace(/"/g, '')];
    for (const [variable, values] of loops) {
      names = names.flatMap((n) =>
        n.includes(`$${variable}`) || n.includes(`\${${variable}}`)
          ? values.map((v) => n.split(`\${${variable}}`).join(v).split(`$${variable}`).join(v))
          : [n],
      );
    }
    for (const name of names) {
      const set = found.get(name) ?? new Set<string>();
      keys.forEach((k) => set.add(k));
      found.set(name, set);
    }
  }
  return found;
}

/** `app=topic,topic;app=topic` (Dapr's publishingScopes / subscriptionScopes) as app -> sorted topics. */
function parseScopes(value: Json | undefined): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const entry of String(value ?? '')
    .split(';')
    .filter((e) => e.trim() !== '')) {
    const [app, topics = ''] = entry.split('=');
    result[app.trim()] = topics
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '')
      .sort();
  }
  return result;
}

// NetworkPolicy semantics (networking.k8s.io/v1), enough to evaluate deploy/'s policies: a pod is
// isolated for a direction once any policy of its namespace selects it with that policy type; a
// connection is allowed when the source's egress AND the destination's ingress allow it.
// Not modelled: traffic within a pod and from the pod's own node (the kubelet), always allowed.
interface Peer {
  namespace?: string;
  labels?: Record<string, string>;
  /** An address outside the cluster (a managed store, a client of the LoadBalancer). */
  ip?: string;
}
type Protocol = 'TCP' | 'UDP';

function selects(selector: Json | undefined, labels: Record<string, string>): boolean {
  if (!isObject(selector)) return false;
  const matchLabels = isObject(selector.matchLabels) ? selector.matchLabels : {};
  if (!Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) return false;
  return objects(selector.matchExpressions).every((e) => {
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const value = labels[String(e.key)];
    switch (e.operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        throw new Error(`selector operator ${String(e.operator)}`);
    }
  });
}

function ipv4(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}
function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  if (base.includes(':') || ip.includes(':')) return base.includes(':') && ip.includes(':') && Number(bits) === 0;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
}

function peerMatches(rule: JsonObject, policyNamespace: string, peer: Peer): boolean {
  if (isObject(rule.ipBlock)) {
    if (peer.ip === undefined) return false;
    const except = Array.isArray(rule.ipBlock.except) ? rule.ipBlock.except.map(String) : [];
    return inCidr(peer.ip, String(rule.ipBlock.cidr)) && !except.some((c) => inCidr(String(peer.ip), c));
  }
  if (peer.ip !== undefined) return false;
  const labels = peer.labels ?? {};
  if (isObject(rule.namespaceSelector)) {
    const namespaceLabels = { 'kubernetes.io/metadata.name': String(peer.namespace) };
    return selects(rule.namespaceSelector, namespaceLabels) && (rule.podSelector === undefined || selects(rule.podSelector, labels));
  }
  return peer.namespace === policyNamespace && selects(rule.podSelector, labels);
}

function portMatches(ports: Json | undefined, port: number, protocol: Protocol): boolean {
  if (!Array.isArray(ports) || ports.length === 0) return true;
  return objects(ports).some((p) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === port));
}

function directionAllows(
  policies: K8sObject[],
  pod: Peer,
  other: Peer,
  port: number,
  protocol: Protocol,
  direction: 'Ingress' | 'Egress',
): boolean {
  if (pod.ip !== undefined) return true; // outside the cluster: no NetworkPolicy of ours applies
  const field = direction === 'Ingress' ? 'ingress' : 'egress';
  const peersField = direction === 'Ingress' ? 'from' : 'to';
  const selecting = policies.filter(
    (p) =>
      p.metadata.namespace === pod.namespace &&
      selects(get(p, 'spec', 'podSelector'), pod.labels ?? {}) &&
      (get(p, 'spec', 'policyTypes') as string[]).includes(direction),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    objects(get(p, 'spec', field)).some((rule) => {
      const peers = objects(rule[peersField]);
      return (
        (peers.length === 0 || peers.some((peer) => peerMatches(peer, String(p.metadata.namespace), other))) &&
        portMatches(rule.ports, port, protocol)
      );
    }),
  );
}

function connects(policies: K8sObject[], from: Peer, to: Peer, port: number, protocol: Protocol = 'TCP'): boolean {
  return directionAllows(policies, from, to, port, protocol, 'Egress') && directionAllows(policies, to, from, port, protocol, 'Ingress');
}

// ---------------------------------------------------------------------------------------------

describe('deploy/ (Kubernetes with Dapr injection)', () => {
  describe('rendering', () => {
    const itWithKubectl = hasKubectlKustomize() ? it : it.skip;

    itWithKubectl.each(OVERLAYS)('when overlay %s is built by kubectl kustomize, then it equals what the test renders', (overlay) => {
      const out = execFileSync('kubectl', ['kustomize', path.join(ROOT, 'deploy', 'overlays', overlay)], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'staycar-kustomize-')), 'out.yaml');
      fs.writeFileSync(file, out);
      const byId = (list: K8sObject[]) => Object.fromEntries(list.map((o) => [objectId(o), o]));
      expect(byId(rendered[overlay])).toEqual(byId(readObjects(file)));
    });

    it('when a kustomization uses a field outside the rendered subset, then rendering fails', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'staycar-kustomize-'));
      fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: []\ncommonLabels: {a: b}\n');
      expect(() => renderKustomization(dir)).toThrow(/commonLabels/);
    });
  });

  describe.each(OVERLAYS)('overlay %s', (overlay) => {
    const all = rendered[overlay];

    it('when rendered, then everything lands in namespace staycar, which it creates', () => {
      expect(find(all, 'Namespace', 'staycar')).toBeDefined();
      for (const o of all.filter((x) => x.kind !== 'Namespace'))
        expect([objectId(o), o.metadata.namespace]).toEqual([objectId(o), 'staycar']);
    });

    it('when validated with kubernetes-models, then every Kubernetes object is valid and has no unknown field', () => {
      const k8s = all.filter((o) => !isDapr(o));
      const results = validateWithKubernetesModels(k8s);
      expect(results).toHaveLength(k8s.length);
      expect(results.filter((r) => r.errors.length > 0)).toEqual([]);
    });

    it("when validated against Dapr 1.18's CRD schemas, then every Dapr object is valid", () => {
      const dapr = all.filter(isDapr);
      expect(dapr.length).toBeGreaterThan(0);
      expect(dapr.map((o) => ({ id: objectId(o), errors: daprErrors(o) })).filter((r) => r.errors.length > 0)).toEqual([]);
    });

    it.each(APPS.map((a) => [a.appID, a] as const))(
      'when app %s of dapr.yaml runs here, then its Deployment injects a sidecar with the same app id and port, probes and resources',
      (appId, app) => {
        const { deployment, annotations, podSpec, container } = workload(all, appId);
        expect(deployment.metadata.name).toBe(appId);
        expect(annotations).toMatchObject({
          'dapr.io/enabled': 'true',
          'dapr.io/app-id': appId,
          'dapr.io/app-port': String(app.appPort),
          'dapr.io/log-as-json': 'true',
          'dapr.io/enable-app-health-check': 'true',
          'dapr.io/app-health-check-path': daprRun.common.appHealthCheckPath,
        });
        for (const key of [
          'sidecar-cpu-request',
          'sidecar-cpu-limit',
          'sidecar-memory-request',
          'sidecar-memory-limit',
          'graceful-shutdown-seconds',
        ]) {
          expect([key, typeof annotations[`dapr.io/${key}`]]).toEqual([key, 'string']);
        }
        expect(find(all, 'Configuration', annotations['dapr.io/config'])).toBeDefined();
        // The pod outlives the sidecar's graceful shutdown.
        expect(Number(podSpec.terminationGracePeriodSeconds)).toBeGreaterThan(Number(annotations['dapr.io/graceful-shutdown-seconds']));

        expect(objects(container.ports).map((p) => p.containerPort)).toContain(app.appPort);
        const env = objects(container.env);
        expect(env.find((e) => e.name === 'APP_PORT')?.value).toBe(String(app.appPort));
        expect(get(container, 'readinessProbe', 'httpGet', 'path')).toBe('/readyz');
        expect(get(container, 'livenessProbe', 'httpGet', 'path')).toBe('/healthz');
        for (const probe of ['readinessProbe', 'livenessProbe']) {
          const port = get(container, probe, 'httpGet', 'port');
          expect(port === app.appPort || objects(container.ports).some((p) => p.name === port && p.containerPort === app.appPort)).toBe(
            true,
          );
        }
        expect(get(container, 'resources', 'requests', 'cpu')).toEqual(expect.any(String));
        expect(get(container, 'resources', 'requests', 'memory')).toEqual(expect.any(String));
        expect(get(container, 'resources', 'limits', 'memory')).toEqual(expect.any(String));
        expect(get(podSpec, 'securityContext', 'runAsNonRoot')).toBe(true);

        // Zero-downtime rollout: never fewer ready pods than wanted.
        expect(get(deployment, 'spec', 'strategy', 'rollingUpdate', 'maxUnavailable')).toBe(0);

        const labels = get(deployment, 'spec', 'selector', 'matchLabels') as Record<string, string>;
        const service = find(all, 'Service', appId);
        expect(get(service, 'spec', 'selector')).toEqual(labels);
        expect(objects(get(service, 'spec', 'ports')).some((p) => p.targetPort === 'http' || p.targetPort === app.appPort)).toBe(true);
        const pdb = ofKind(all, 'PodDisruptionBudget').find(
          (p) => JSON.stringify(get(p, 'spec', 'selector', 'matchLabels')) === JSON.stringify(labels),
        );
        expect(pdb).toBeDefined();
      },
    );

    it.each(APPS.map((a) => [a.appID, a] as const))(
      'when app %s gets environment variables, then each is one the service reads or dapr.yaml sets',
      (appId, app) => {
        const { container } = workload(all, appId);
        const known = new Set([...envReadBy(appId), ...Object.keys(daprRun.common.env ?? {}), ...Object.keys(app.env ?? {})]);
        const names = objects(container.env).map((e) => String(e.name));
        expect(names.filter((n) => !known.has(n))).toEqual([]);
        for (const required of ['APP_PORT', 'LOG_LEVEL', 'PUBSUB', ...Object.keys(app.env ?? {})]) {
          expect(names).toContain(required);
        }
        // Values that differ between environments come from the ConfigMap / a Secret, not literals
        // (the pod's own ports aside: they are tied to its container ports and annotations).
        for (const e of objects(container.env).filter((x) => x.name !== 'APP_PORT' && x.name !== 'METRICS_PORT')) {
          expect([e.name, isObject(e.valueFrom)]).toEqual([e.name, true]);
        }
        if (app.env?.VIEW_DB_URL !== undefined) {
          expect(
            get(
              objects(container.env).find((e) => e.name === 'VIEW_DB_URL'),
              'valueFrom',
              'secretKeyRef',
            ),
          ).toBeDefined();
        }
        if (app.env?.CITYNAME !== undefined) {
          expect(
            get(
              objects(container.env).find((e) => e.name === 'CITYNAME'),
              'valueFrom',
              'configMapKeyRef',
            ),
          ).toBeDefined();
        }
      },
    );

    it('when each service names its own state store and its topics through the ConfigMap, then the store is its alone, its outbox publishes where it may, and it may read every topic it names', () => {
      const data = (find(all, 'ConfigMap', 'staycar-config')?.data ?? {}) as Record<string, string>;
      const settings = (c: K8sObject | undefined) =>
        Object.fromEntries(objects(get(c, 'spec', 'metadata')).map((m) => [String(m.name), m.value as string | undefined]));
      const pubsub = find(all, 'Component', data.PUBSUB);
      expect(String(get(pubsub, 'spec', 'type'))).toMatch(/^pubsub\./);
      const scoped = (scope: string, appId: string): string[] | undefined =>
        String(settings(pubsub)[scope] ?? '')
          .split(';')
          .map((entry) => entry.split('='))
          .find(([app]) => app === appId)?.[1]
          ?.split(',');
      const published = new Set<string>();
      const read = new Set<string>();
      const users = get(pubsub, 'scopes') as string[];
      for (const appId of APP_IDS.filter((a) => users.includes(a))) {
        const env = objects(workload(all, appId).container.env);
        const fromConfig = (name: string): string | undefined => {
          const key = get(
            env.find((e) => e.name === name),
            'valueFrom',
            'configMapKeyRef',
            'key',
          );
          return key === undefined ? undefined : data[String(key)];
        };
        const storeName = fromConfig('STATE_STORE');
        if (storeName !== undefined) {
          const store = find(all, 'Component', storeName);
          expect([appId, String(get(store, 'spec', 'type'))]).toEqual([appId, expect.stringMatching(/^state\./)]);
          expect([appId, get(store, 'scopes')]).toEqual([appId, [appId]]);
          const outbox = settings(store);
          if (outbox.outboxPublishTopic !== undefined) {
            expect([appId, outbox.outboxPublishPubsub]).toEqual([appId, data.PUBSUB]);
            expect(find(all, 'Component', String(outbox.outboxPubsub))).toBeDefined();
            expect([appId, scoped('publishingScopes', appId)]).toEqual([appId, expect.arrayContaining([outbox.outboxPublishTopic])]);
            published.add(outbox.outboxPublishTopic);
          }
        }
        const topics = (fromConfig('EVENTS_TOPICS') ?? '').split(',').filter((t) => t !== '');
        // Exactly the topics it reads (and its dead-letter topic): any other would be delivered to it for nothing.
        expect([appId, [...(scoped('subscriptionScopes', appId) ?? ['(unrestricted)'])].sort()]).toEqual([
          appId,
          [...topics, ...(topics.length > 0 ? [`deadletter-${appId}`] : [''])].sort(),
        ]);
        topics.forEach((t) => read.add(t));
      }
      // Every topic read is one some outbox publishes to, and every family's topic has a reader.
      expect([...read].sort()).toEqual([...published].sort());
    });

    it('when identity names its user store and secret store through the ConfigMap, then they exist, are its own, and the user store has no outbox', () => {
      const data = (find(all, 'ConfigMap', 'staycar-config')?.data ?? {}) as Record<string, string>;
      const env = objects(workload(all, 'identity').container.env);
      const fromConfig = (name: string) =>
        String(
          get(
            env.find((e) => e.name === name),
            'valueFrom',
            'configMapKeyRef',
            'key',
          ),
        );
      const userStore = find(all, 'Component', data[fromConfig('STATE_STORE')]);
      expect(String(get(userStore, 'spec', 'type'))).toMatch(/^state\./);
      expect(objects(get(userStore, 'spec', 'metadata')).map((m) => m.name)).not.toContain('outboxPublishPubsub');
      expect(get(userStore, 'scopes')).toEqual(['identity']);
      const secretStore = find(all, 'Component', data[fromConfig('SECRET_STORE')]);
      expect(String(get(secretStore, 'spec', 'type'))).toMatch(/^secretstores\./);
      expect(get(secretStore, 'scopes')).toEqual(['identity']);
    });

    it('when identity reads its signing keys, then it may read that one Secret only (Dapr secret scopes and Kubernetes RBAC)', () => {
      const data = (find(all, 'ConfigMap', 'staycar-config')?.data ?? {}) as Record<string, string>;
      const { podSpec, container } = workload(all, 'identity');
      const env = objects(container.env);
      const fromConfig = (name: string) =>
        data[
          String(
            get(
              env.find((e) => e.name === name),
              'valueFrom',
              'configMapKeyRef',
              'key',
            ),
          )
        ];
      const store = fromConfig('SECRET_STORE');
      const secret = fromConfig('SIGNING_KEYS_SECRET');
      expect(secret).toEqual(expect.any(String));

      const scopes = objects(get(find(all, 'Configuration', 'staycar'), 'spec', 'secrets', 'scopes'));
      expect(scopes.find((s) => s.storeName === store)).toEqual({ storeName: store, defaultAccess: 'deny', allowedSecrets: [secret] });
      expect(scopes.find((s) => s.storeName === 'kubernetes')?.defaultAccess).toBe('deny');

      const account = String(podSpec.serviceAccountName);
      expect(find(all, 'ServiceAccount', account)).toBeDefined();
      const bindings = ofKind(all, 'RoleBinding').filter((b) =>
        objects(b.subjects).some((s) => s.kind === 'ServiceAccount' && s.name === account && s.namespace === 'staycar'),
      );
      const rules = bindings.flatMap((b) => objects(get(find(all, 'Role', String(get(b, 'roleRef', 'name'))), 'rules')));
      expect(rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: [secret], verbs: ['get'] }]);
      // No other app runs with that account.
      for (const appId of APP_IDS.filter((a) => a !== 'identity'))
        expect([appId, workload(all, appId).podSpec.serviceAccountName]).toEqual([appId, undefined]);
      // Nobody ships the keys: the README says how to make the Secret.
      expect(find(all, 'Secret', secret)).toBeUndefined();
      expect(fs.readFileSync(path.join(ROOT, 'deploy', 'README.md'), 'utf8')).toContain(`create secret generic ${secret}`);
    });

    it('when a Component needs a password or connection string, then it comes from a secretKeyRef through the kubernetes secret store, never a literal', () => {
      const sensitive = /password|connectionstring|secret|token|credential|accesskey/i;
      const components = ofKind(all, 'Component');
      for (const c of components) {
        const meta = objects(get(c, 'spec', 'metadata'));
        for (const m of meta.filter((x) => sensitive.test(String(x.name)))) {
          expect([c.metadata.name, m.name, m.value, isObject(m.secretKeyRef)]).toEqual([c.metadata.name, m.name, undefined, true]);
        }
        if (meta.some((m) => isObject(m.secretKeyRef)))
          expect([c.metadata.name, get(c, 'auth', 'secretStore')]).toEqual([c.metadata.name, 'kubernetes']);
        // Every component says which apps may load it.
        const scopes = get(c, 'scopes');
        expect(Array.isArray(scopes) && scopes.length > 0 && scopes.every((s) => APP_IDS.includes(String(s)))).toBe(true);
      }
    });

    it('when containers take credentials, then they come from Secrets', () => {
      for (const o of ofKind(all, 'Deployment').concat(ofKind(all, 'StatefulSet'), ofKind(all, 'Job'))) {
        for (const c of objects(get(o, 'spec', 'template', 'spec', 'containers'))) {
          for (const e of objects(c.env).filter((x) => /PASSWORD|PWD|SECRET|TOKEN|_URL$/.test(String(x.name)))) {
            if (NAMES_NOT_CREDENTIALS.has(String(e.name))) {
              expect([objectId(o), e.name, isObject(get(e, 'valueFrom', 'configMapKeyRef'))]).toEqual([objectId(o), e.name, true]);
              continue;
            }
            if (URLS_WITHOUT_CREDENTIALS.has(String(e.name)) && isObject(get(e, 'valueFrom', 'configMapKeyRef'))) {
              const url = new URL(String(envValue(all, e)));
              expect([objectId(o), e.name, url.username, url.password]).toEqual([objectId(o), e.name, '', '']);
              continue;
            }
            expect([objectId(o), e.name, e.value, isObject(get(e, 'valueFrom', 'secretKeyRef'))]).toEqual([
              objectId(o),
              e.name,
              undefined,
              true,
            ]);
          }
        }
      }
    });

    it('when a ConfigMap or Secret is referenced (secretKeyRef, configMapKeyRef, Dapr token annotations), then it exists with that key (or, in production, the README says how to create it)', () => {
      const documented = documentedSecrets(fs.readFileSync(path.join(ROOT, 'deploy', 'README.md'), 'utf8'));
      const refs = references(all);
      // The injector reads the key `token` of the Secrets these annotations name.
      for (const appId of APP_IDS) {
        const { annotations } = workload(all, appId);
        for (const key of ['dapr.io/api-token-secret', 'dapr.io/app-token-secret']) {
          refs.push({ kind: 'Secret', name: annotations[key], key: 'token', from: `Deployment ${appId} ${key}` });
        }
      }
      for (const ref of refs) {
        const target = find(all, ref.kind, ref.name);
        if (target) {
          const keys = ref.kind === 'Secret' ? secretKeys(target) : Object.keys(isObject(target.data) ? target.data : {});
          expect([ref.from, ref.name, keys.includes(ref.key)]).toEqual([ref.from, ref.name, true]);
        } else {
          expect([ref.from, overlay, ref.kind]).toEqual([ref.from, 'production', 'Secret']);
          expect([ref.from, ref.name, documented.get(ref.name)?.has(ref.key)]).toEqual([ref.from, ref.name, true]);
        }
      }
    });

    it('when room and reservation are autoscaled, then their HPAs target existing Deployments on CPU 50% with requests set', () => {
      for (const appId of ['room', 'reservation']) {
        const hpa = ofKind(all, 'HorizontalPodAutoscaler').find((h) => get(h, 'spec', 'scaleTargetRef', 'name') === appId);
        expect(hpa).toBeDefined();
        expect(get(hpa, 'spec', 'scaleTargetRef', 'kind')).toBe('Deployment');
        const { deployment, container } = workload(all, appId);
        expect(deployment.metadata.name).toBe(appId);
        expect(get(hpa, 'spec', 'metrics', 0)).toEqual({
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
        });
        expect(get(hpa, 'spec', 'maxReplicas')).toBe(10);
        expect(Number(get(hpa, 'spec', 'minReplicas'))).toBeGreaterThanOrEqual(1);
        expect(get(container, 'resources', 'requests', 'cpu')).toBeDefined();
        // The HPA owns the replica count: a re-apply must not reset it.
        expect(get(deployment, 'spec', 'replicas')).toBeUndefined();
      }
      for (const hpa of ofKind(all, 'HorizontalPodAutoscaler')) {
        expect(find(all, 'Deployment', String(get(hpa, 'spec', 'scaleTargetRef', 'name')))).toBeDefined();
      }
    });

    it('when the Ingress routes to the gateway, then the Service and port exist', () => {
      const ingress = find(all, 'Ingress', 'gateway');
      const backend = get(ingress, 'spec', 'rules', 0, 'http', 'paths', 0, 'backend', 'service');
      const service = find(all, 'Service', String(get(backend, 'name')));
      expect(get(service, 'spec', 'selector')).toEqual({ 'app.kubernetes.io/name': 'gateway' });
      expect(objects(get(service, 'spec', 'ports')).some((p) => p.name === get(backend, 'port', 'name'))).toBe(true);
    });

    it("when the access-control policy is deployed, then it is the local run's (dapr/config.yaml) with the apps' namespace, and allows exactly the gateway's and reservation's paths", () => {
      const configuration = find(all, 'Configuration', 'staycar');
      if (!configuration) throw new Error('no Configuration staycar');
      // Parsed YAML against parsed YAML: the two policies cannot drift apart. Locally Dapr's
      // namespace is `default`; here it is the apps' namespace.
      const local = get(parseYaml(fs.readFileSync(path.join(ROOT, 'dapr', 'config.yaml'), 'utf8')) as Json, 'spec', 'accessControl');
      if (!isObject(local)) throw new Error('dapr/config.yaml has no accessControl');
      const policies = objects(local.policies);
      for (const p of policies) expect([p.appId, p.namespace]).toEqual([p.appId, 'default']);
      expect(get(configuration, 'spec', 'accessControl')).toEqual({
        ...local,
        policies: policies.map((p) => ({ ...p, namespace: 'staycar' })),
      });
      const namespaces = new Set(APP_IDS.map((appId) => workload(all, appId).deployment.metadata.namespace));
      expect([...namespaces]).toEqual(['staycar']);

      // What that means, call by call (Dapr's decision on the called sidecar).
      const as = (appId: string) => ({ appId, namespace: 'staycar' });
      const internal = [
        ['POST', '/internal/rooms/r1/holds'],
        ['DELETE', '/internal/rooms/r1/holds/x'],
        ['POST', '/internal/rentcars/c1/holds/x/confirm'],
        ['POST', '/internal/payments'],
        ['POST', '/internal/payments/by-reservation/x/refund'],
        ['GET', '/internal/payments/by-reservation/x'],
      ];
      const publicRoutes = [
        ['GET', '/rooms'],
        ['POST', '/reservations'],
        ['GET', '/healthz'],
        ['POST', '/auth/token'],
        ['GET', '/auth/jwks.json'],
      ];
      const subscriptions = [
        ['POST', '/events/_bulk'],
        ['GET', '/dapr/subscribe'],
      ];
      for (const caller of APP_IDS) {
        for (const [verb, op] of internal) {
          expect([caller, verb, op, aclAllows(configuration, as(caller), op, verb)]).toEqual([caller, verb, op, caller === 'reservation']);
        }
        for (const [verb, op] of publicRoutes) {
          expect([caller, verb, op, aclAllows(configuration, as(caller), op, verb)]).toEqual([caller, verb, op, caller === 'gateway']);
        }
        for (const [verb, op] of subscriptions) {
          expect([caller, verb, op, aclAllows(configuration, as(caller), op, verb)]).toEqual([caller, verb, op, false]);
        }
      }
      expect(aclAllows(configuration, as('stranger'), '/rooms', 'GET')).toBe(false);
      expect(aclAllows(configuration, { appId: 'reservation', namespace: 'other' }, '/internal/payments', 'POST')).toBe(false);
      expect(aclAllows(configuration, { appId: 'gateway', namespace: 'staycar', trustDomain: 'other' }, '/rooms', 'GET')).toBe(false);
      expect(aclAllows(configuration, null, '/internal/payments', 'POST')).toBe(false);
      expect(aclAllows(configuration, null, '/rooms', 'GET')).toBe(false);
      // identity answers /auth/* through the gateway's policy: its pods use this Configuration.
      expect(workload(all, 'identity').annotations['dapr.io/config']).toBe('staycar');
      expect(get(configuration, 'spec', 'tracing', 'samplingRate')).toEqual(expect.any(String));
      // mTLS is the control plane's (deploy/dapr-system): daprd ignores spec.mtls here, so it is not set.
      expect(get(configuration, 'spec', 'mtls')).toBeUndefined();
    });

    it.each(APPS.map((a) => [a.appID] as const))(
      'when app %s runs, then its sidecar and the app get their own two tokens from Secrets, and the sidecar API is pod-local',
      (appId) => {
        const { annotations, container } = workload(all, appId);
        const apiSecret = annotations['dapr.io/api-token-secret'];
        const appSecret = annotations['dapr.io/app-token-secret'];
        expect([apiSecret, appSecret]).toEqual([`staycar-${appId}-dapr-api-token`, `staycar-${appId}-app-api-token`]);
        // The injector puts DAPR_API_TOKEN/APP_API_TOKEN into daprd only (pkg/injector/patcher/
        // sidecar_container.go, key "token"); the app container gets them from the manifest.
        const env = objects(container.env);
        const fromSecret = (name: string) =>
          get(
            env.find((e) => e.name === name),
            'valueFrom',
            'secretKeyRef',
          );
        expect(fromSecret('DAPR_API_TOKEN')).toEqual({ name: apiSecret, key: 'token' });
        // The gateway is called by clients directly and never checks the app token: it does not get it.
        expect(fromSecret('APP_API_TOKEN')).toEqual(appId === 'gateway' ? undefined : { name: appSecret, key: 'token' });
        expect(env.filter((e) => e.name === 'APP_API_TOKEN').length).toBe(appId === 'gateway' ? 0 : 1);
        // The sidecar's API on loopback only, as locally (scripts/lib/system.mjs).
        expect(annotations['dapr.io/sidecar-listen-addresses']).toBe('127.0.0.1');
        // No APP_HOST: the kubelet's probes (which carry no token, hence the app's exemption of
        // /healthz and /readyz) reach the app on the pod's address, not on loopback.
        expect(env.map((e) => e.name)).not.toContain('APP_HOST');
        expect(get(container, 'readinessProbe', 'httpGet', 'host')).toBeUndefined();
        expect(get(container, 'livenessProbe', 'httpGet', 'host')).toBeUndefined();
      },
    );

    it('when the apps have token Secrets, then every app and token has its own', () => {
      const names = APP_IDS.flatMap((appId) => {
        const { annotations } = workload(all, appId);
        return [annotations['dapr.io/api-token-secret'], annotations['dapr.io/app-token-secret']];
      });
      expect(new Set(names).size).toBe(APP_IDS.length * 2);
      if (overlay === 'local') {
        const values = names.map((name) => String(get(find(all, 'Secret', name), 'stringData', 'token')));
        expect(new Set(values).size).toBe(values.length);
        for (const v of values) expect(v.length).toBeGreaterThanOrEqual(32);
      }
    });

    it('when pub/sub is deployed, then its publishing and subscription scopes are those of components/default/pubsub.yaml and cover every app that loads it', () => {
      const source = readObjects(path.join(ROOT, 'components', 'default', 'pubsub.yaml'))[0];
      const copy = find(all, 'Component', 'pubsub');
      const scopesOf = (c: Json | undefined, name: string) =>
        parseScopes(objects(get(c, 'spec', 'metadata')).find((m) => m.name === name)?.value);
      for (const name of ['publishingScopes', 'subscriptionScopes']) {
        const deployed = scopesOf(copy, name);
        expect([name, deployed]).toEqual([name, scopesOf(source, name)]);
        // An app missing from a scope list is not restricted by it at all.
        expect([name, Object.keys(deployed).sort()]).toEqual([name, [...((get(copy, 'scopes') as string[]) ?? [])].sort()]);
      }
    });

    it("when viewpage reads and writes its view, then it does so as its own database user in its own database, not the state store's", () => {
      const { container } = workload(all, 'viewpage');
      const viewRef = get(
        objects(container.env).find((e) => e.name === 'VIEW_DB_URL'),
        'valueFrom',
        'secretKeyRef',
      );
      expect(viewRef).toEqual({ name: 'staycar-viewpage-db', key: 'url' });
      const stateRefs = ofKind(all, 'Component')
        .filter((c) => String(get(c, 'spec', 'type')).startsWith('state.'))
        .map((c) =>
          get(
            objects(get(c, 'spec', 'metadata')).find((m) => m.name === 'connectionString'),
            'secretKeyRef',
            'name',
          ),
        );
      expect(stateRefs.length).toBeGreaterThan(0);
      expect(stateRefs).not.toContain(get(viewRef, 'name'));
      if (overlay !== 'local') return;
      const view = find(all, 'Secret', 'staycar-viewpage-db');
      const state = find(all, 'Secret', 'staycar-mysql');
      const url = new URL(String(get(view, 'stringData', 'url')));
      expect(decodeURIComponent(url.username)).toBe(get(view, 'stringData', 'user'));
      expect(decodeURIComponent(url.password)).toBe(get(view, 'stringData', 'password'));
      expect(url.pathname).toBe(`/${String(get(view, 'stringData', 'database'))}`);
      const connectionString = String(get(state, 'stringData', 'connectionString'));
      expect(get(view, 'stringData', 'user')).not.toBe(get(state, 'stringData', 'user'));
      expect(connectionString.startsWith(`${String(get(view, 'stringData', 'user'))}:`)).toBe(false);
      expect(get(view, 'stringData', 'password')).not.toBe(get(state, 'stringData', 'password'));
      // Not the state stores' database (schemaName) nor the one the image gives their user.
      const schemas = ofKind(all, 'Component')
        .map((c) => objects(get(c, 'spec', 'metadata')).find((m) => m.name === 'schemaName')?.value)
        .filter(Boolean);
      expect([...schemas, get(state, 'stringData', 'database')]).not.toContain(get(view, 'stringData', 'database'));

      // The Job that makes the user takes it from that Secret and grants on that database only.
      const job = find(all, 'Job', 'mariadb-viewpage-user');
      const jobContainer = objects(get(job, 'spec', 'template', 'spec', 'containers'))[0];
      const jobEnv = Object.fromEntries(objects(jobContainer.env).map((e) => [e.name, get(e, 'valueFrom', 'secretKeyRef')]));
      expect(jobEnv).toEqual({
        MYSQL_PWD: { name: 'staycar-mysql', key: 'rootPassword' },
        VIEW_DB_DATABASE: { name: 'staycar-viewpage-db', key: 'database' },
        VIEW_DB_USER: { name: 'staycar-viewpage-db', key: 'user' },
        VIEW_DB_PASSWORD: { name: 'staycar-viewpage-db', key: 'password' },
      });
      const script = (jobContainer.command as string[]).join('\n');
      const grants = [...script.matchAll(/\bGRANT\b[^;]*?\bON\s+(\S+)\s+TO\b/g)].map((m) => m[1]);
      expect(grants).toEqual(['\\`$VIEW_DB_DATABASE\\`.*']);
      for (const statement of [
        'CREATE DATABASE IF NOT EXISTS',
        'CREATE USER IF NOT EXISTS',
        'ALTER USER',
        'REVOKE ALL PRIVILEGES, GRANT OPTION FROM',
      ]) {
        expect(script).toContain(statement);
      }
      expect(get(job, 'spec', 'ttlSecondsAfterFinished')).toEqual(expect.any(Number));
    });

    it('when the gateway counts rate limits, then it uses a Redis of its own — the address from the ConfigMap, the password from a Secret — never the pub/sub Redis', () => {
      const { deployment, container } = workload(all, 'gateway');
      const env = objects(container.env);
      const entry = (name: string) => env.find((e) => e.name === name);
      expect(get(entry('REDIS_URL'), 'valueFrom', 'configMapKeyRef')).toEqual({ name: 'staycar-config', key: 'RATELIMIT_REDIS_URL' });
      const passwordRef = get(entry('REDIS_PASSWORD'), 'valueFrom', 'secretKeyRef');
      expect(passwordRef).toEqual({ name: 'staycar-ratelimit-redis', key: 'password' });
      for (const name of ['REDIS_URL', 'REDIS_PASSWORD']) expect([name, entry(name)?.value]).toEqual([name, undefined]);

      // A Redis URL ioredis takes, with no credentials in it (a user in the URL would make ioredis
      // send an empty password and ignore REDIS_PASSWORD), that the gateway's config accepts.
      const urlValue = String(envValue(all, entry('REDIS_URL')));
      const url = new URL(urlValue);
      expect(url.protocol).toMatch(/^rediss?:$/);
      expect([url.username, url.password]).toEqual(['', '']);
      expect(gatewayConfigWith({ REDIS_URL: urlValue }).redis.url).toBe(urlValue);

      // Not the pub/sub Redis: the Redis Components' Secrets appear nowhere in the gateway's pod,
      // and the gateway's Secret in no Component and no other app.
      const pubsubSecrets = new Set(
        ofKind(all, 'Component')
          .filter((c) => String(get(c, 'spec', 'type')).endsWith('.redis'))
          .flatMap((c) => objects(get(c, 'spec', 'metadata')).map((m) => get(m, 'secretKeyRef', 'name')))
          .filter((name): name is string => typeof name === 'string'),
      );
      expect([...pubsubSecrets]).toEqual(['staycar-redis']);
      const gatewayRefs = references([deployment]).map((r) => r.name);
      for (const name of pubsubSecrets) expect(gatewayRefs).not.toContain(name);
      const holders = references(all)
        .filter((r) => r.name === get(passwordRef, 'name'))
        .map((r) => r.from);
      expect(holders.filter((from) => from !== objectId(deployment) && from !== 'Deployment/staycar/ratelimit-redis')).toEqual([]);
      expect(url.hostname).not.toBe('redis');

      if (overlay === 'production') {
        // A managed Redis outside the cluster (RATELIMIT_REDIS_URL of overlays/production/config.yaml).
        expect(find(all, 'Service', url.hostname)).toBeUndefined();
        return;
      }
      // Locally: the Service ratelimit-redis, whose pods are the rate-limit Redis and nothing else.
      const service = find(all, 'Service', url.hostname);
      expect(service?.metadata.name).toBe('ratelimit-redis');
      expect(objects(get(service, 'spec', 'ports')).some((p) => p.port === Number(url.port || 6379))).toBe(true);
      const selected = [...ofKind(all, 'Deployment'), ...ofKind(all, 'StatefulSet')].filter((w) =>
        selects(
          { matchLabels: get(service, 'spec', 'selector') ?? {} },
          (get(w, 'spec', 'template', 'metadata', 'labels') ?? {}) as Record<string, string>,
        ),
      );
      expect(selected.map(objectId)).toEqual(['Deployment/staycar/ratelimit-redis']);
      const pubsubRedis = find(all, 'Secret', 'staycar-redis');
      expect(String(get(pubsubRedis, 'stringData', 'host'))).not.toBe(`${url.hostname}:${url.port || 6379}`);
      expect(envValue(all, entry('REDIS_PASSWORD'))).not.toBe(get(pubsubRedis, 'stringData', 'password'));

      // It asks for that same password, keeps nothing on disk, and evicts rather than refuse writes.
      const redisContainer = objects(get(selected[0], 'spec', 'template', 'spec', 'containers'))[0];
      const args = redisContainer.args;
      expect(redisArg(args, 'requirepass')).toBe('$(REDIS_PASSWORD)');
      expect(
        get(
          objects(redisContainer.env).find((e) => e.name === 'REDIS_PASSWORD'),
          'valueFrom',
          'secretKeyRef',
        ),
      ).toEqual(passwordRef);
      expect([redisArg(args, 'save'), redisArg(args, 'appendonly')]).toEqual(['', 'no']);
      expect(redisArg(args, 'maxmemory')).toMatch(/^\d+mb$/);
      expect(redisArg(args, 'maxmemory-policy')).toBe('allkeys-lru');
      expect(objects(get(selected[0], 'spec', 'template', 'spec', 'volumes')).filter((v) => v.persistentVolumeClaim !== undefined)).toEqual(
        [],
      );
      expect(get(redisContainer, 'readinessProbe')).toBeDefined();
      // Its memory limit leaves room above maxmemory (Mi vs mb: both about a million bytes).
      const limitMi = Number(/^(\d+)Mi$/.exec(String(get(redisContainer, 'resources', 'limits', 'memory')))?.[1]);
      expect(limitMi).toBeGreaterThan(Number(/^(\d+)mb$/.exec(String(redisArg(args, 'maxmemory')))?.[1]));
    });

    it('when clients reach the gateway through a proxy, then TRUST_PROXY comes from the ConfigMap, the gateway accepts it, and it believes the ingress controller but never a client that connects directly', () => {
      const { container } = workload(all, 'gateway');
      const entry = objects(container.env).find((e) => e.name === 'TRUST_PROXY');
      expect(get(entry, 'valueFrom', 'configMapKeyRef')).toEqual({ name: 'staycar-config', key: 'TRUST_PROXY' });
      const value = String(envValue(all, entry));
      const { trustProxy } = gatewayConfigWith({ TRUST_PROXY: value });
      // Behind the ingress every client would otherwise share the controller's address.
      expect(trustProxy).not.toBe(false);
      // What Express makes of it (services/gateway/src/http/app.ts sets the same).
      const trusted = express().set('trust proxy', trustProxy).get('trust proxy fn') as (address: string, hop: number) => boolean;
      const ingressControllerPod = '10.244.1.5'; // kind's and minikube's pod CIDR, 10.244.0.0/16
      expect(trusted(ingressControllerPod, 0)).toBe(true);
      // Where clients may connect to the gateway's port themselves (production's LoadBalancer,
      // decided by the NetworkPolicies), their X-Forwarded-For must not be believed: addresses,
      // not a hop count, and no public address among them.
      const gatewayPod: Peer = { namespace: 'staycar', labels: { 'app.kubernetes.io/name': 'gateway' } };
      const direct = connects(ofKind(all, 'NetworkPolicy'), { ip: '203.0.113.7' }, gatewayPod, 8080);
      expect(direct).toBe(overlay === 'production');
      if (direct) {
        expect(typeof trustProxy).not.toBe('number');
        for (const client of ['203.0.113.7', '198.51.100.20', '2001:db8::7', '8.8.8.8'])
          expect([client, trusted(client, 0)]).toEqual([client, false]);
      }
    });

    describe('NetworkPolicies', () => {
      const policies = ofKind(all, 'NetworkPolicy');
      const app = (appId: string): Peer => ({
        namespace: 'staycar',
        labels: get(workload(all, appId).deployment, 'spec', 'template', 'metadata', 'labels') as Record<string, string>,
      });
      const podOf = (kind: string, name: string): Peer => ({
        namespace: 'staycar',
        labels: get(find(all, kind, name), 'spec', 'template', 'metadata', 'labels') as Record<string, string>,
      });
      const intruder: Peer = {
        namespace: 'staycar',
        labels: { 'app.kubernetes.io/name': 'intruder', 'app.kubernetes.io/part-of': 'staycar' },
      };
      const elsewhere: Peer = { namespace: 'default', labels: { 'app.kubernetes.io/name': 'gateway' } };
      const ingressController: Peer = {
        namespace: 'ingress-nginx',
        labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
      };
      const prometheus: Peer = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
      const outside: Peer = { ip: '203.0.113.7' };
      const controlPlane = (name: string): Peer => ({ namespace: 'dapr-system', labels: { app: name } });
      const kubeDns: Peer = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
      const appPort = (appId: string) => Number(APPS.find((a) => a.appID === appId)?.appPort);
      // Sidecar ports: 3500 HTTP API and 50001 gRPC API (loopback anyway), 3501 public (healthz,
      // metadata — no token there), 50002 internal gRPC, 9090 metrics.
      const SIDECAR_PORTS = [3500, 3501, 50001, 50002, 9090];

      // Who invokes whom (the access-control policy: the gateway every app's public routes,
      // reservation the /internal/** routes, which room, rentcar and payment serve).
      const invokes = (caller: string, callee: string) =>
        caller !== callee && (caller === 'gateway' || (caller === 'reservation' && ['room', 'rentcar', 'payment'].includes(callee)));

      const componentsOf = (typePrefix: string) =>
        ofKind(all, 'Component').filter((c) => String(get(c, 'spec', 'type')).startsWith(typePrefix));
      const scoped = (components: K8sObject[]) => new Set(components.flatMap((c) => (get(c, 'scopes') as string[]) ?? []));
      const redisOwners = scoped(componentsOf('pubsub.redis'));
      const mysqlOwners = new Set([
        ...scoped(componentsOf('state.mysql')),
        ...APP_IDS.filter((a) => objects(workload(all, a).container.env).some((e) => e.name === 'VIEW_DB_URL')),
      ]);

      it('when the namespace is set up, then one policy denies all ingress and egress of every pod, and every port named is a number', () => {
        const denyAll = policies.filter(
          (p) =>
            JSON.stringify(get(p, 'spec', 'podSelector')) === '{}' &&
            get(p, 'spec', 'ingress') === undefined &&
            get(p, 'spec', 'egress') === undefined,
        );
        expect(denyAll.map((p) => [...((get(p, 'spec', 'policyTypes') as string[]) ?? [])].sort())).toEqual([['Egress', 'Ingress']]);
        for (const p of policies) {
          for (const rule of [...objects(get(p, 'spec', 'ingress')), ...objects(get(p, 'spec', 'egress'))]) {
            for (const port of objects(rule.ports)) expect([p.metadata.name, typeof port.port]).toEqual([p.metadata.name, 'number']);
          }
        }
        expect(connects(policies, intruder, intruder, 8080)).toBe(false);
      });

      it('when anything but the ingress controller calls an app port, then it is refused; the gateway takes the ingress controller', () => {
        for (const callee of APP_IDS) {
          for (const caller of [...APP_IDS.filter((a) => a !== callee).map(app), intruder, elsewhere, prometheus]) {
            expect([callee, caller.labels, connects(policies, caller, app(callee), appPort(callee))]).toEqual([
              callee,
              caller.labels,
              false,
            ]);
          }
          expect([callee, connects(policies, ingressController, app(callee), appPort(callee))]).toEqual([callee, callee === 'gateway']);
          expect([callee, connects(policies, outside, app(callee), appPort(callee))]).toEqual([
            callee,
            overlay === 'production' && callee === 'gateway',
          ]);
        }
      });

      it('when sidecars invoke each other, then only the paths the access-control policy allows are open, on port 50002 only', () => {
        for (const caller of APP_IDS) {
          for (const callee of APP_IDS) {
            expect([caller, callee, connects(policies, app(caller), app(callee), 50002)]).toEqual([
              caller,
              callee,
              invokes(caller, callee),
            ]);
            // The caller's egress and the callee's ingress each allow exactly that on their own.
            const egress = directionAllows(policies, app(caller), app(callee), 50002, 'TCP', 'Egress');
            const ingress = directionAllows(policies, app(callee), app(caller), 50002, 'TCP', 'Ingress');
            expect([caller, callee, egress, ingress]).toEqual([caller, callee, invokes(caller, callee), invokes(caller, callee)]);
            for (const port of SIDECAR_PORTS.filter((p) => p !== 50002)) {
              expect([caller, callee, port, connects(policies, app(caller), app(callee), port)]).toEqual([caller, callee, port, false]);
            }
          }
          for (const stranger of [intruder, elsewhere, ingressController]) {
            for (const port of SIDECAR_PORTS)
              expect([caller, stranger.labels, port, connects(policies, stranger, app(caller), port)]).toEqual([
                caller,
                stranger.labels,
                port,
                false,
              ]);
          }
          // Prometheus scrapes the metrics port, nothing else.
          for (const port of SIDECAR_PORTS)
            expect([caller, port, connects(policies, prometheus, app(caller), port)]).toEqual([caller, port, port === 9090]);
          // ... and the app's own metrics port (METRICS_PORT), which no one else reaches.
          const metricsPort = Number(objects(workload(all, caller).container.env).find((e) => e.name === 'METRICS_PORT')?.value);
          expect([caller, connects(policies, prometheus, app(caller), metricsPort)]).toEqual([caller, true]);
          for (const stranger of [intruder, elsewhere, ingressController, ...APP_IDS.filter((a) => a !== caller).map(app)])
            expect([caller, stranger.labels, connects(policies, stranger, app(caller), metricsPort)]).toEqual([
              caller,
              stranger.labels,
              false,
            ]);
        }
      });

      it('when pods reach out, then every pod has DNS and every sidecar the Dapr control plane; identity alone the API server', () => {
        const pods = [
          ...APP_IDS.map(app),
          ...ofKind(all, 'Deployment')
            .filter((d) => !APP_IDS.includes(d.metadata.name))
            .map((d) => podOf('Deployment', d.metadata.name)),
          ...ofKind(all, 'StatefulSet').map((s) => podOf('StatefulSet', s.metadata.name)),
          ...ofKind(all, 'Job').map((j) => podOf('Job', j.metadata.name)),
        ];
        for (const pod of pods) {
          expect([pod.labels, connects(policies, pod, kubeDns, 53, 'UDP'), connects(policies, pod, kubeDns, 53, 'TCP')]).toEqual([
            pod.labels,
            true,
            true,
          ]);
          expect([pod.labels, connects(policies, pod, intruder, 53, 'UDP')]).toEqual([pod.labels, false]);
        }
        for (const appId of APP_IDS) {
          for (const [name, port] of [
            ['dapr-sentry', 50001],
            ['dapr-operator', 6500],
            ['dapr-placement-server', 50005],
            ['dapr-scheduler-server', 50006],
          ] as const) {
            expect([appId, name, connects(policies, app(appId), controlPlane(name), port)]).toEqual([appId, name, true]);
          }
          expect([appId, connects(policies, app(appId), controlPlane('dapr-sentry'), 6500)]).toEqual([appId, false]);
          expect([appId, connects(policies, app(appId), outside, 443)]).toEqual([appId, appId === 'identity']);
          expect([appId, connects(policies, app(appId), outside, 80)]).toEqual([appId, false]);
        }
      });

      it('when pods reach the stores, then only the pods that own data there may: Redis for pub/sub, MySQL for the state stores and viewpage', () => {
        expect([...redisOwners].sort()).toEqual(['message', 'payment', 'rentcar', 'reservation', 'room', 'viewpage']);
        expect([...mysqlOwners].sort()).toEqual(['identity', 'message', 'payment', 'rentcar', 'reservation', 'room', 'viewpage']);
        const redis: Peer = overlay === 'local' ? podOf('StatefulSet', 'redis') : outside;
        const mysql: Peer = overlay === 'local' ? podOf('StatefulSet', 'mariadb') : outside;
        for (const appId of APP_IDS) {
          // In production the gateway's rate-limit Redis is outside too, on the same port, at an
          // address the overlay does not know: there the gateway reaches 6379 as well (its missing
          // password keeps it off the pub/sub Redis until the ipBlocks are narrowed).
          const reachesRedis = redisOwners.has(appId) || (overlay === 'production' && appId === 'gateway');
          expect([appId, 'redis', connects(policies, app(appId), redis, 6379)]).toEqual([appId, 'redis', reachesRedis]);
          expect([appId, 'mysql', connects(policies, app(appId), mysql, 3306)]).toEqual([appId, 'mysql', mysqlOwners.has(appId)]);
          // In the cluster each store takes its own port only (outside it, both are one address here).
          if (overlay === 'local')
            expect([appId, connects(policies, app(appId), redis, 3306), connects(policies, app(appId), mysql, 6379)]).toEqual([
              appId,
              false,
              false,
            ]);
        }
        // Outside the cluster, the stores' own access control is all that stops pods of other
        // namespaces; in the cluster, the stores' ingress policies do.
        for (const stranger of overlay === 'local' ? [intruder, elsewhere, ingressController] : [intruder]) {
          expect([stranger.labels, connects(policies, stranger, redis, 6379), connects(policies, stranger, mysql, 3306)]).toEqual([
            stranger.labels,
            false,
            false,
          ]);
        }
        if (overlay === 'local') {
          // Both ends hold the line on their own: the clients' egress and the store's ingress.
          for (const appId of APP_IDS) {
            for (const [store, port, owners] of [
              [redis, 6379, redisOwners],
              [mysql, 3306, mysqlOwners],
            ] as const) {
              const egress = directionAllows(policies, app(appId), store, port, 'TCP', 'Egress');
              const ingress = directionAllows(policies, store, app(appId), port, 'TCP', 'Ingress');
              expect([appId, port, egress, ingress]).toEqual([appId, port, owners.has(appId), owners.has(appId)]);
            }
          }
          // Only the Job that makes viewpage's user, besides the owners, reaches MariaDB.
          const job = podOf('Job', 'mariadb-viewpage-user');
          expect([connects(policies, job, mysql, 3306), connects(policies, job, redis, 6379)]).toEqual([true, false]);
          // The stores themselves open no connections but DNS.
          expect(connects(policies, mysql, redis, 6379)).toBe(false);
          expect(connects(policies, redis, outside, 443)).toBe(false);
        }
      });

      it("when anything reaches the gateway's rate-limit Redis, then only the gateway may, on 6379 only", () => {
        if (overlay === 'production') {
          // Outside the cluster: the gateway's egress to 6379 (narrow its ipBlock to your Redis).
          expect(connects(policies, app('gateway'), outside, 6379)).toBe(true);
          expect(connects(policies, app('gateway'), outside, 6380)).toBe(false);
          return;
        }
        const ratelimit = podOf('Deployment', 'ratelimit-redis');
        const redis = podOf('StatefulSet', 'redis');
        const mysql = podOf('StatefulSet', 'mariadb');
        for (const appId of APP_IDS) {
          const allowed = appId === 'gateway';
          expect([appId, connects(policies, app(appId), ratelimit, 6379)]).toEqual([appId, allowed]);
          // Both ends hold the line on their own: the client's egress and the Redis's ingress.
          const egress = directionAllows(policies, app(appId), ratelimit, 6379, 'TCP', 'Egress');
          const ingress = directionAllows(policies, ratelimit, app(appId), 6379, 'TCP', 'Ingress');
          expect([appId, egress, ingress]).toEqual([appId, allowed, allowed]);
          for (const port of [6380, 16379, 26379, 3306, 8080])
            expect([appId, port, connects(policies, app(appId), ratelimit, port)]).toEqual([appId, port, false]);
        }
        const job = podOf('Job', 'mariadb-viewpage-user');
        for (const stranger of [intruder, elsewhere, ingressController, prometheus, redis, mysql, job, outside]) {
          expect([stranger, connects(policies, stranger, ratelimit, 6379)]).toEqual([stranger, false]);
        }
        // The gateway gets its own Redis and no other store.
        expect([connects(policies, app('gateway'), redis, 6379), connects(policies, app('gateway'), mysql, 3306)]).toEqual([false, false]);
        // The rate-limit Redis opens no connections but DNS.
        for (const [target, port] of [
          [redis, 6379],
          [mysql, 3306],
          [app('gateway'), 8080],
          [outside, 443],
          [outside, 6379],
        ] as const) {
          expect([target, port, connects(policies, ratelimit, target, port)]).toEqual([target, port, false]);
        }
      });
    });

    it('when a binding writes files from the sidecar, then every app that may use it mounts that folder read-write into daprd', () => {
      for (const c of ofKind(all, 'Component').filter((x) => get(x, 'spec', 'type') === 'bindings.localstorage')) {
        const rootPath = objects(get(c, 'spec', 'metadata')).find((m) => m.name === 'rootPath')?.value;
        for (const appId of (get(c, 'scopes') as string[]) ?? []) {
          const { annotations, podSpec } = workload(all, appId);
          const mounts = (annotations['dapr.io/volume-mounts-rw'] ?? '').split(',').map((m) => m.trim().split(':'));
          const mount = mounts.find(([, p]) => p === rootPath);
          expect([appId, mount !== undefined]).toEqual([appId, true]);
          expect(objects(podSpec.volumes).map((v) => v.name)).toContain(mount?.[0]);
        }
      }
    });
  });

  describe("Dapr's control plane (deploy/dapr-system)", () => {
    const objectsThere = renderKustomization(path.join(ROOT, 'deploy', 'dapr-system'));
    const itWithKubectl = hasKubectlKustomize() ? it : it.skip;

    itWithKubectl('when built by kubectl kustomize, then it equals what the test renders', () => {
      const out = execFileSync('kubectl', ['kustomize', path.join(ROOT, 'deploy', 'dapr-system')], { encoding: 'utf8', timeout: 60_000 });
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'staycar-kustomize-')), 'out.yaml');
      fs.writeFileSync(file, out);
      expect(objectsThere).toEqual(readObjects(file));
    });

    it("when mTLS is configured, then daprsystem in dapr-system turns it on with the local Sentry's lifetimes, valid against the CRD, and the README's Helm command says the same", () => {
      expect(objectsThere.map(objectId)).toEqual(['Configuration/dapr-system/daprsystem']);
      const daprsystem = objectsThere[0];
      expect(daprErrors(daprsystem)).toEqual([]);
      const mtls = get(daprsystem, 'spec', 'mtls');
      const local = get(readObjects(path.join(ROOT, 'dapr', 'sentry.yaml'))[0], 'spec', 'mtls');
      expect(get(mtls, 'enabled')).toBe(true);
      for (const key of ['enabled', 'workloadCertTTL', 'allowedClockSkew']) expect([key, get(mtls, key)]).toEqual([key, get(local, key)]);
      expect(get(mtls, 'sentryAddress')).toBe('dapr-sentry.dapr-system.svc.cluster.local:443');
      const readme = fs.readFileSync(path.join(ROOT, 'deploy', 'README.md'), 'utf8').replace(/\\\n\s*/g, ' ');
      const helm = readme.split('\n').find((l) => /helm upgrade --install dapr /.test(l)) ?? '';
      for (const key of ['enabled', 'workloadCertTTL', 'allowedClockSkew']) {
        expect([key, new RegExp(`--set global\\.mtls\\.${key}=(\\S+)`).exec(helm)?.[1]]).toEqual([key, String(get(mtls, key))]);
      }
      // Every app's Configuration leaves mTLS to it (daprd does not read spec.mtls of its own).
      for (const overlay of OVERLAYS) {
        for (const c of ofKind(rendered[overlay], 'Configuration'))
          expect([overlay, c.metadata.name, get(c, 'spec', 'mtls')]).toEqual([overlay, c.metadata.name, undefined]);
      }
    });
  });

  describe('Dapr resources mirror the local run', () => {
    const deployed = rendered.local;

    const resiliencies = fs
      .readdirSync(path.join(ROOT, 'resiliency'))
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => readObjects(path.join(ROOT, 'resiliency', f)));

    it.each(resiliencies.map((r) => [r.metadata.name, r] as const))(
      'when resiliency %s is deployed, then it equals its source in resiliency/ apart from fields Dapr 1.18 does not have',
      (name, source) => {
        const copy = find(deployed, 'Resiliency', name);
        if (!copy) throw new Error(`deploy/ has no Resiliency ${name}`);
        const { value, dropped } = pruneToSchema(source, resiliencySchema);
        if (dropped.length > 0) {
          console.warn(
            `resiliency/resiliency.yaml has fields Dapr 1.18's Resiliency type lacks (ignored by daprd, rejected by the API server): ${dropped.join(', ')}`,
          );
        }
        const { namespace: _ns, ...meta } = copy.metadata;
        expect({ ...copy, metadata: meta }).toEqual(value);
      },
    );

    const sources = fs
      .readdirSync(path.join(ROOT, 'components', 'default'))
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => readObjects(path.join(ROOT, 'components', 'default', f)));

    it.each(sources.map((c) => [c.metadata.name, c] as const))(
      'when component %s of components/default is deployed, then type, version, scopes and settings match (connection details aside)',
      (name, source) => {
        const copy = find(deployed, 'Component', name);
        if (!copy) throw new Error(`deploy/ has no Component ${name}`);
        if (get(source, 'spec', 'type') === 'secretstores.local.file') {
          // A local file of secrets stands for the cluster's Secrets: same name and scopes, no file settings.
          expect(get(copy, 'spec', 'type')).toBe('secretstores.kubernetes');
          expect([...((get(copy, 'scopes') as string[]) ?? [])].sort()).toEqual([...((get(source, 'scopes') as string[]) ?? [])].sort());
          return;
        }
        expect(get(copy, 'spec', 'type')).toBe(get(source, 'spec', 'type'));
        expect(get(copy, 'spec', 'version')).toBe(get(source, 'spec', 'version'));
        expect([...((get(copy, 'scopes') as string[]) ?? [])].sort()).toEqual([...((get(source, 'scopes') as string[]) ?? [])].sort());
        const sourceMeta = objects(get(source, 'spec', 'metadata'));
        const copyMeta = objects(get(copy, 'spec', 'metadata'));
        expect(copyMeta.map((m) => m.name).sort()).toEqual(sourceMeta.map((m) => m.name).sort());
        // Where things live differs by environment (a folder on this machine, a volume in a pod), and
        // how often the stays-end cron fires (every minute locally and in tests, 15 minutes on Kubernetes).
        const perEnvironment = new Set<unknown>(['rootPath', 'schedule']);
        for (const m of copyMeta.filter((x) => x.value !== undefined && !perEnvironment.has(x.name))) {
          expect([m.name, m.value]).toEqual([m.name, sourceMeta.find((s) => s.name === m.name)?.value]);
        }
      },
    );
  });

  describe('environments', () => {
    it('when running locally, then Redis 7 and MariaDB 10.11 run in the cluster on PersistentVolumeClaims with credentials from Secrets', () => {
      const all = rendered.local;
      for (const [name, image] of [
        ['redis', 'redis:7'],
        ['mariadb', 'mariadb:10.11'],
      ]) {
        const sts = find(all, 'StatefulSet', name);
        expect(get(sts, 'spec', 'template', 'spec', 'containers', 0, 'image')).toBe(image);
        expect(objects(get(sts, 'spec', 'volumeClaimTemplates')).length).toBe(1);
        expect(get(sts, 'spec', 'template', 'spec', 'containers', 0, 'readinessProbe')).toBeDefined();
        expect(find(all, 'Service', name)).toBeDefined();
      }
      // The gateway's rate-limit Redis: a Deployment without volume claims (60 s counters need none).
      const ratelimit = find(all, 'Deployment', 'ratelimit-redis');
      expect(get(ratelimit, 'spec', 'template', 'spec', 'containers', 0, 'image')).toBe('redis:7');
      expect(find(all, 'Service', 'ratelimit-redis')).toBeDefined();
      const mariadbEnv = objects(get(find(all, 'StatefulSet', 'mariadb'), 'spec', 'template', 'spec', 'containers', 0, 'env'));
      for (const e of mariadbEnv) expect([e.name, isObject(get(e, 'valueFrom', 'secretKeyRef'))]).toEqual([e.name, true]);
      // The Components reach them by the Services' names.
      const redis = find(all, 'Secret', 'staycar-redis');
      expect(String(get(redis, 'stringData', 'host'))).toBe('redis:6379');
      expect(String(get(find(all, 'Secret', 'staycar-mysql'), 'stringData', 'connectionString'))).toContain('@tcp(mariadb:3306)/');
    });

    it('when running in production, then no database runs in the cluster, no Secret is shipped, every app has 2+ pods and the gateway has a LoadBalancer', () => {
      const all = rendered.production;
      expect(ofKind(all, 'StatefulSet')).toEqual([]);
      expect(
        ofKind(all, 'Deployment')
          .map((d) => d.metadata.name)
          .sort(),
      ).toEqual([...APP_IDS].sort());
      expect(ofKind(all, 'Secret')).toEqual([]);
      for (const appId of APP_IDS) {
        const { deployment, container } = workload(all, appId);
        const hpa = ofKind(all, 'HorizontalPodAutoscaler').find(
          (h) => get(h, 'spec', 'scaleTargetRef', 'name') === deployment.metadata.name,
        );
        const minimum = hpa ? Number(get(hpa, 'spec', 'minReplicas')) : Number(get(deployment, 'spec', 'replicas'));
        expect([appId, minimum >= 2]).toEqual([appId, true]);
        expect([appId, String(container.image)]).toEqual([appId, expect.stringMatching(/^[^/]+\.[^/]+\/.+:[^:]+$/)]);
        expect(String(container.image)).not.toMatch(/:latest$/);
      }
      const lb = ofKind(all, 'Service').find((s) => get(s, 'spec', 'type') === 'LoadBalancer');
      expect(get(lb, 'spec', 'selector')).toEqual({ 'app.kubernetes.io/name': 'gateway' });
    });
  });

  describe('images', () => {
    it('when images are built, then one Dockerfile takes SERVICE, runs as non-root without HEALTHCHECK, and images.sh builds every app of dapr.yaml', () => {
      const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
      const instructions = dockerfile.split('\n').filter((l) => /^[A-Z]+\s/.test(l));
      expect(instructions.filter((l) => l.startsWith('FROM ')).length).toBeGreaterThanOrEqual(2);
      expect(instructions).toContain('ARG SERVICE');
      expect(instructions.some((l) => /^RUN npm ci --omit=dev .*--workspace "services\/\$SERVICE"/.test(l))).toBe(true);
      expect(instructions.some((l) => /^RUN npx tsc -b/.test(l))).toBe(true);
      const user = instructions.filter((l) => l.startsWith('USER ')).pop();
      expect(user).toMatch(/^USER [1-9][0-9]*(:[0-9]+)?$/);
      expect(instructions.some((l) => l.startsWith('HEALTHCHECK'))).toBe(false);
      expect(instructions.filter((l) => l.startsWith('CMD ')).pop()).toBe(
        'CMD ["node", "--require", "@staycar/common/dist/telemetry/register", "dist/main.js"]',
      );
      expect(instructions).toContain('WORKDIR /app/services/${SERVICE}');

      const script = fs.readFileSync(path.join(ROOT, 'scripts', 'images.sh'), 'utf8');
      const listed = /ALL_SERVICES="([^"]+)"/.exec(script)?.[1].split(/\s+/) ?? [];
      expect([...listed].sort()).toEqual([...APP_IDS].sort());
      for (const appId of APP_IDS) {
        expect(String(workload(rendered.local, appId).container.image)).toBe(`staycar-${appId}:dev`);
      }
    });
  });
});
