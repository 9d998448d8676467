/**
 * deploy/ validated without a cluster: both overlays are rendered (test/deploy/support/kustomize.ts,
 * compared with `kubectl kustomize` where kubectl is installed), every Kubernetes object is checked
 * with the kubernetes-models schemas (plus unknown fields), every Dapr object with the schemas of
 * Dapr 1.18's CRDs, and the whole against what the services and dapr.yaml expect.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
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
        for (const m of source.matchAll(/\benv(?:String|Int|Bool)\(\s*'([A-Z0-9_]+)'/g)) names.add(m[1]);
        for (const m of source.matchAll(/process\.env\.([A-Z0-9_]+)/g)) names.add(m[1]);
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
  const deployment = ofKind(all, 'Deployment').find((d) => get(d, 'spec', 'template', 'metadata', 'annotations', 'dapr.io/app-id') === appId);
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
      if ((key === 'secretKeyRef' || key === 'configMapKeyRef') && isObject(value) && typeof value.name === 'string' && typeof value.key === 'string') {
        found.push({ kind: key === 'secretKeyRef' ? 'Secret' : 'ConfigMap', name: value.name, key: value.key, from });
      } else visit(value, from, inComponent);
    }
  };
  for (const o of all) visit(o, objectId(o), o.kind === 'Component');
  return found;
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
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${e.params ? JSON.stringify(e.params) : ''}`.trim());
}

/** Removes what a schema (with additionalProperties: false) does not define; returns the removed paths. */
function pruneToSchema(value: Json, schema: Record<string, unknown>, pointer = ''): { value: Json; dropped: string[] } {
  const dropped: string[] = [];
  if (Array.isArray(value)) {
    const items = isObject(schema.items as Json) ? (schema.items as Record<string, unknown>) : {};
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
    const childSchema = properties[key] ?? (isObject(additional as Json) ? (additional as Record<string, unknown>) : additional === false ? undefined : {});
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
function aclAllows(configuration: K8sObject, caller: { appId: string; namespace: string; trustDomain?: string } | null, operation: string, verb: string): boolean {
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
    const matches = name.endsWith('/**') ? op.startsWith(name.slice(0, -2)) : name.endsWith('/*') ? op.startsWith(name.slice(0, -1)) && !op.slice(name.length - 1).includes('/') : op === name;
    if (!matches) continue;
    const verbs = Array.isArray(rule.httpVerb) ? rule.httpVerb.map(String) : [];
    if (verbs.includes(verb) || verbs.includes('*')) action = String(rule.action);
    break;
  }
  return action.toLowerCase() === 'allow';
}

// ---------------------------------------------------------------------------------------------

describe('deploy/ (Kubernetes with Dapr injection)', () => {
  describe('rendering', () => {
    const itWithKubectl = hasKubectlKustomize() ? it : it.skip;

    itWithKubectl.each(OVERLAYS)('when overlay %s is built by kubectl kustomize, then it equals what the test renders', (overlay) => {
      const out = execFileSync('kubectl', ['kustomize', path.join(ROOT, 'deploy', 'overlays', overlay)], { encoding: 'utf8', timeout: 60_000 });
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
      for (const o of all.filter((x) => x.kind !== 'Namespace')) expect([objectId(o), o.metadata.namespace]).toEqual([objectId(o), 'staycar']);
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
        for (const key of ['sidecar-cpu-request', 'sidecar-cpu-limit', 'sidecar-memory-request', 'sidecar-memory-limit', 'graceful-shutdown-seconds']) {
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
          expect(port === app.appPort || objects(container.ports).some((p) => p.name === port && p.containerPort === app.appPort)).toBe(true);
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
        const pdb = ofKind(all, 'PodDisruptionBudget').find((p) => JSON.stringify(get(p, 'spec', 'selector', 'matchLabels')) === JSON.stringify(labels));
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
        for (const required of ['APP_PORT', 'LOG_LEVEL', 'EVENTS_TOPIC', 'STATE_STORE', 'PUBSUB', ...Object.keys(app.env ?? {})]) {
          expect(names).toContain(required);
        }
        // Values that differ between environments come from the ConfigMap / a Secret, not literals.
        for (const e of objects(container.env).filter((x) => x.name !== 'APP_PORT')) {
          expect([e.name, isObject(e.valueFrom)]).toEqual([e.name, true]);
        }
        if (app.env?.VIEW_DB_URL !== undefined) {
          expect(get(objects(container.env).find((e) => e.name === 'VIEW_DB_URL'), 'valueFrom', 'secretKeyRef')).toBeDefined();
        }
        if (app.env?.CITYNAME !== undefined) {
          expect(get(objects(container.env).find((e) => e.name === 'CITYNAME'), 'valueFrom', 'configMapKeyRef')).toBeDefined();
        }
      },
    );

    it('when the services name Dapr components and a topic through the ConfigMap, then those components exist and the topic is the outbox topic', () => {
      const config = find(all, 'ConfigMap', 'staycar-config');
      const data = (config?.data ?? {}) as Record<string, string>;
      const component = (name: string) => find(all, 'Component', name);
      expect(String(get(component(data.STATE_STORE), 'spec', 'type'))).toMatch(/^state\./);
      expect(String(get(component(data.PUBSUB), 'spec', 'type'))).toMatch(/^pubsub\./);
      const meta = objects(get(component(data.STATE_STORE), 'spec', 'metadata'));
      expect(meta.find((m) => m.name === 'outboxPublishTopic')?.value).toBe(data.EVENTS_TOPIC);
      expect(meta.find((m) => m.name === 'outboxPublishPubsub')?.value).toBe(data.PUBSUB);
      expect(component(String(meta.find((m) => m.name === 'outboxPubsub')?.value))).toBeDefined();
    });

    it("when identity names its user store and secret store through the ConfigMap, then they exist, are its own, and the user store has no outbox", () => {
      const data = (find(all, 'ConfigMap', 'staycar-config')?.data ?? {}) as Record<string, string>;
      const env = objects(workload(all, 'identity').container.env);
      const fromConfig = (name: string) => String(get(env.find((e) => e.name === name), 'valueFrom', 'configMapKeyRef', 'key'));
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
      const fromConfig = (name: string) => data[String(get(env.find((e) => e.name === name), 'valueFrom', 'configMapKeyRef', 'key'))];
      const store = fromConfig('SECRET_STORE');
      const secret = fromConfig('SIGNING_KEYS_SECRET');
      expect(secret).toEqual(expect.any(String));

      const scopes = objects(get(find(all, 'Configuration', 'staycar'), 'spec', 'secrets', 'scopes'));
      expect(scopes.find((s) => s.storeName === store)).toEqual({ storeName: store, defaultAccess: 'deny', allowedSecrets: [secret] });
      expect(scopes.find((s) => s.storeName === 'kubernetes')?.defaultAccess).toBe('deny');

      const account = String(podSpec.serviceAccountName);
      expect(find(all, 'ServiceAccount', account)).toBeDefined();
      const bindings = ofKind(all, 'RoleBinding').filter((b) => objects(b.subjects).some((s) => s.kind === 'ServiceAccount' && s.name === account && s.namespace === 'staycar'));
      const rules = bindings.flatMap((b) => objects(get(find(all, 'Role', String(get(b, 'roleRef', 'name'))), 'rules')));
      expect(rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: [secret], verbs: ['get'] }]);
      // No other app runs with that account.
      for (const appId of APP_IDS.filter((a) => a !== 'identity')) expect([appId, workload(all, appId).podSpec.serviceAccountName]).toEqual([appId, undefined]);
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
        if (meta.some((m) => isObject(m.secretKeyRef))) expect([c.metadata.name, get(c, 'auth', 'secretStore')]).toEqual([c.metadata.name, 'kubernetes']);
        // Every component says which apps may load it.
        const scopes = get(c, 'scopes');
        expect(Array.isArray(scopes) && scopes.length > 0 && scopes.every((s) => APP_IDS.includes(String(s)))).toBe(true);
      }
    });

    it('when containers take credentials, then they come from Secrets', () => {
      for (const o of ofKind(all, 'Deployment').concat(ofKind(all, 'StatefulSet'))) {
        for (const c of objects(get(o, 'spec', 'template', 'spec', 'containers'))) {
          for (const e of objects(c.env).filter((x) => /PASSWORD|SECRET|TOKEN|_URL$/.test(String(x.name)))) {
            if (NAMES_NOT_CREDENTIALS.has(String(e.name))) {
              expect([objectId(o), e.name, isObject(get(e, 'valueFrom', 'configMapKeyRef'))]).toEqual([objectId(o), e.name, true]);
              continue;
            }
            expect([objectId(o), e.name, e.value, isObject(get(e, 'valueFrom', 'secretKeyRef'))]).toEqual([objectId(o), e.name, undefined, true]);
          }
        }
      }
    });

    it('when a ConfigMap or Secret is referenced, then it exists with that key (or, in production, the README says how to create it)', () => {
      const readme = fs.readFileSync(path.join(ROOT, 'deploy', 'README.md'), 'utf8');
      for (const ref of references(all)) {
        const target = find(all, ref.kind, ref.name);
        if (target) {
          const keys = ref.kind === 'Secret' ? secretKeys(target) : Object.keys(isObject(target.data) ? target.data : {});
          expect([ref.from, ref.name, keys.includes(ref.key)]).toEqual([ref.from, ref.name, true]);
        } else {
          expect([ref.from, overlay, ref.kind]).toEqual([ref.from, 'production', 'Secret']);
          expect(readme).toContain(`create secret generic ${ref.name}`);
          expect(readme).toMatch(new RegExp(`create secret generic ${ref.name}[^\\n]*(\\\\\\n[^\\n]*)*--from-literal=${ref.key}=`));
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
        expect(get(hpa, 'spec', 'metrics', 0)).toEqual({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } });
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

    it('when only reservation may call internal routes, then the access-control policy allows exactly that', () => {
      const configuration = find(all, 'Configuration', 'staycar');
      if (!configuration) throw new Error('no Configuration staycar');
      const policies = objects(get(configuration, 'spec', 'accessControl', 'policies'));
      expect(policies.map((p) => p.appId).sort()).toEqual([...APP_IDS].sort());
      for (const p of policies) expect([p.appId, p.namespace]).toEqual([p.appId, 'staycar']);
      const as = (appId: string) => ({ appId, namespace: 'staycar' });
      const internal = [
        ['POST', '/internal/rooms/r1/holds'],
        ['DELETE', '/internal/rooms/r1/holds/x'],
        ['POST', '/internal/rentcars/c1/holds/x/confirm'],
        ['POST', '/internal/payments'],
        ['POST', '/internal/payments/by-reservation/x/refund'],
        ['GET', '/internal/payments/by-reservation/x'],
      ];
      for (const caller of APP_IDS) {
        for (const [verb, op] of internal) {
          expect([caller, verb, op, aclAllows(configuration, as(caller), op, verb)]).toEqual([caller, verb, op, caller === 'reservation']);
        }
        expect([caller, aclAllows(configuration, as(caller), '/rooms', 'GET')]).toEqual([caller, true]);
        expect([caller, aclAllows(configuration, as(caller), '/reservations', 'POST')]).toEqual([caller, true]);
      }
      expect(aclAllows(configuration, as('stranger'), '/rooms', 'GET')).toBe(false);
      expect(aclAllows(configuration, { appId: 'reservation', namespace: 'other' }, '/internal/payments', 'POST')).toBe(false);
      expect(aclAllows(configuration, null, '/internal/payments', 'POST')).toBe(false);
      expect(get(configuration, 'spec', 'tracing', 'samplingRate')).toEqual(expect.any(String));
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
          console.warn(`resiliency/resiliency.yaml has fields Dapr 1.18's Resiliency type lacks (ignored by daprd, rejected by the API server): ${dropped.join(', ')}`);
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
        // Where things live differs by environment (a folder on this machine, a volume in a pod).
        const perEnvironment = new Set<unknown>(["rootPath"]);
        for (const m of copyMeta.filter((x) => x.value !== undefined && !perEnvironment.has(x.name))) {
          expect([m.name, m.value]).toEqual([m.name, sourceMeta.find((s) => s.name === m.name)?.value]);
        }
      },
    );
  });

  describe('environments', () => {
    it('when running locally, then Redis 7 and MariaDB 10.11 run in the cluster on PersistentVolumeClaims with credentials from Secrets', () => {
      const all = rendered.local;
      for (const [name, image] of [['redis', 'redis:7'], ['mariadb', 'mariadb:10.11']]) {
        const sts = find(all, 'StatefulSet', name);
        expect(get(sts, 'spec', 'template', 'spec', 'containers', 0, 'image')).toBe(image);
        expect(objects(get(sts, 'spec', 'volumeClaimTemplates')).length).toBe(1);
        expect(get(sts, 'spec', 'template', 'spec', 'containers', 0, 'readinessProbe')).toBeDefined();
        expect(find(all, 'Service', name)).toBeDefined();
      }
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
      expect(ofKind(all, 'Secret')).toEqual([]);
      for (const appId of APP_IDS) {
        const { deployment, container } = workload(all, appId);
        const hpa = ofKind(all, 'HorizontalPodAutoscaler').find((h) => get(h, 'spec', 'scaleTargetRef', 'name') === deployment.metadata.name);
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
      expect(instructions.filter((l) => l.startsWith('CMD ')).pop()).toBe('CMD ["node", "dist/main.js"]');
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
