/**
 * deploy/overlays/cluster (the single-node cluster of docs/kubernetes.md), offline: it renders, every
 * object is valid against kubernetes-models and Dapr 1.18's CRD schemas, it is production plus the
 * in-cluster stores (deploy/stores), and it differs from production only where that machine must:
 * image names, the stores' Secrets' consumers, the gateway's Service type, the pods' size and the
 * HPAs' bounds, the rate-limit Redis's address and the egress NetworkPolicies to the stores.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { daprSchemas } from './support/dapr-schemas';
import { isObject, objectId, readObjects, renderKustomization, type Json, type JsonObject, type K8sObject } from './support/kustomize';

const ROOT = path.resolve(__dirname, '..', '..');
const render = (dir: string) => renderKustomization(path.join(ROOT, 'deploy', dir));
const cluster = render('overlays/cluster');
const production = render('overlays/production');
const stores = render('stores');
const APPS = ['gateway', 'identity', 'room', 'rentcar', 'reservation', 'payment', 'message', 'viewpage'];

const isDapr = (o: K8sObject) => o.apiVersion.startsWith('dapr.io/');
const byId = (objects: K8sObject[]) => new Map(objects.map((o) => [objectId(o), o]));
const get = (value: Json | undefined, ...keys: string[]): Json | undefined =>
  keys.reduce<Json | undefined>((v, k) => (isObject(v) ? v[k] : undefined), value);

/** The paths (a.b.c) where two JSON values differ. */
function differences(a: Json | undefined, b: Json | undefined, at = ''): string[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differences(a[k], b[k], at ? `${at}.${k}` : k));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.flatMap((x, i) => differences(x, b[i], `${at}[${i}]`));
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [at];
}

function validateWithKubernetesModels(all: K8sObject[]): { id: string; errors: string[] }[] {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'support', 'validate-k8s.mjs')], {
    cwd: ROOT,
    input: JSON.stringify(all),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return (JSON.parse(out) as { id: string; errors: unknown[] }[]).map((r) => ({ id: r.id, errors: r.errors.map(String) }));
}

const withKubectl = spawnSync('kubectl', ['kustomize', '--help'], { encoding: 'utf8', timeout: 20_000 }).status === 0 ? it : it.skip;

describe('deploy/overlays/cluster (production on the local single-node cluster)', () => {
  withKubectl('when built by kubectl kustomize, then it equals what the test renders', () => {
    const out = execFileSync('kubectl', ['kustomize', path.join(ROOT, 'deploy', 'overlays', 'cluster')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'staycar-kustomize-')), 'out.yaml');
    fs.writeFileSync(file, out);
    expect(Object.fromEntries(byId(cluster))).toEqual(Object.fromEntries(byId(readObjects(file))));
  });

  it('when validated with kubernetes-models and Dapr 1.18 CRD schemas, then every object is valid (no unknown field)', () => {
    const k8s = cluster.filter((o) => !isDapr(o));
    const results = validateWithKubernetesModels(k8s);
    expect(results).toHaveLength(k8s.length);
    expect(results.filter((r) => r.errors.length > 0)).toEqual([]);
    const ajv = new Ajv({ allErrors: true, strict: true });
    const validators = Object.fromEntries(Object.entries(daprSchemas).map(([kind, schema]) => [kind, ajv.compile(schema)]));
    const errors = cluster.filter(isDapr).map((o) => {
      const validate = validators[o.kind];
      if (!validate) return { id: objectId(o), errors: [`no schema for ${o.kind}`] };
      return { id: objectId(o), errors: validate(o) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) };
    });
    expect(errors.filter((e) => e.errors.length > 0)).toEqual([]);
  });

  it('when rendered, then its objects are exactly production’s plus the in-cluster stores’, all in namespace staycar', () => {
    const expected = [
      ...production.map(objectId),
      ...stores.map((o) => objectId({ ...o, metadata: { ...o.metadata, namespace: 'staycar' } })),
    ];
    expect(cluster.map(objectId).sort()).toEqual([...new Set(expected)].sort());
    for (const o of cluster.filter((x) => x.kind !== 'Namespace'))
      expect([objectId(o), o.metadata.namespace]).toEqual([objectId(o), 'staycar']);
  });

  it('when compared with production, then only image names, sizes, HPA bounds, the gateway Service type, the rate-limit Redis address and the stores’ egress policies differ', () => {
    const prod = byId(production);
    const allowed: Record<string, RegExp> = {
      Deployment:
        /^spec\.(replicas|template\.metadata\.annotations\.dapr\.io\/(sidecar-image|sidecar-cpu-request)|template\.spec\.containers\[0\]\.(image|resources\.requests\.cpu))$/,
      HorizontalPodAutoscaler: /^spec\.(minReplicas|maxReplicas|behavior\..*)$/,
      Service: /^spec\.(type|ports\[0\]\.nodePort)$/,
      ConfigMap: /^data\.RATELIMIT_REDIS_URL$/,
      // The stores' pods instead of any address; MariaDB's clients include the Job that makes viewpage's user.
      NetworkPolicy: /^spec\.(egress\[0\]\.to.*|podSelector\.matchExpressions\[0\]\.values)$/,
    };
    const unexpected: string[] = [];
    for (const o of cluster) {
      const before = prod.get(objectId(o));
      if (!before) continue;
      for (const diff of differences(before, o)) if (!allowed[o.kind]?.test(diff)) unexpected.push(`${objectId(o)}: ${diff}`);
    }
    expect(unexpected).toEqual([]);
  });

  it('when the apps are deployed, then they run the images cluster:images imports and our patched sidecar, and the gateway is on NodePort 30080', () => {
    for (const app of APPS) {
      const deployment = cluster.find((o) => o.kind === 'Deployment' && o.metadata.name === app);
      const containers = get(deployment?.spec, 'template', 'spec', 'containers');
      expect([app, Array.isArray(containers) && isObject(containers[0]) ? containers[0].image : undefined]).toEqual([
        app,
        `staycar.local/${app}:dev`,
      ]);
      expect([app, get(deployment?.spec, 'template', 'metadata', 'annotations', 'dapr.io/sidecar-image')]).toEqual([
        app,
        'staycar.local/daprd:1.18.2-staycar',
      ]);
      const prodDeployment = production.find((o) => o.kind === 'Deployment' && o.metadata.name === app);
      expect(get(prodDeployment?.spec, 'template', 'metadata', 'annotations', 'dapr.io/sidecar-image')).toBe(
        'registry.example.com/staycar/daprd:1.18.2-staycar',
      );
    }
    const gateway = cluster.find((o) => o.kind === 'Service' && o.metadata.name === 'gateway-public');
    expect(get(gateway?.spec, 'type')).toBe('NodePort');
    expect((get(gateway?.spec, 'ports') as JsonObject[])[0].nodePort).toBe(30080);
    const images = cluster
      .filter((o) => o.kind === 'StatefulSet' || (o.kind === 'Deployment' && o.metadata.name === 'ratelimit-redis') || o.kind === 'Job')
      .flatMap((o) => (get(o.spec, 'template', 'spec', 'containers') as JsonObject[]).map((c) => c.image));
    expect([...new Set(images)].sort()).toEqual(['staycar.local/mariadb:10.11', 'staycar.local/redis:7']);
  });

  it('when the stores run in the cluster, then Redis and MariaDB are StatefulSets with a volume claim each', () => {
    for (const name of ['redis', 'mariadb']) {
      const set = cluster.find((o) => o.kind === 'StatefulSet' && o.metadata.name === name);
      const claims = get(set?.spec, 'volumeClaimTemplates');
      expect([name, Array.isArray(claims) ? claims.length : 0]).toEqual([name, 1]);
    }
  });
});
