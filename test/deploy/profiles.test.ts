/**
 * deploy/ per component profile (issue 16, docs/profiles.md): each profile other than `default`
 * is a kustomize component (deploy/components/<profile>) used by an overlay of its own
 * (deploy/overlays/<profile>: the production overlay with the component). Checked offline with
 * the same tools as test/deploy/manifests.test.ts — this test's renderer against `kubectl
 * kustomize`, kubernetes-models, Dapr 1.18's CRD schemas — and against the profile's local
 * components: the cluster runs the same Dapr components as `STAYCAR_PROFILE=<profile> npm start`,
 * connection details from Secrets.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import { daprSchemas } from './support/dapr-schemas';
import { isObject, objectId, readObjects, renderKustomization, type Json, type JsonObject, type K8sObject } from './support/kustomize';

const ROOT = path.resolve(__dirname, '..', '..');
const PROFILES = fs
  .readdirSync(path.join(ROOT, 'components'))
  .filter((f) => f.endsWith('.profile.json'))
  .map((f) => f.replace(/\.profile\.json$/, ''))
  .filter((p) => p !== 'default')
  .sort();

const production = renderKustomization(path.join(ROOT, 'deploy', 'overlays', 'production'));
const rendered = Object.fromEntries(PROFILES.map((p) => [p, renderKustomization(path.join(ROOT, 'deploy', 'overlays', p))])) as Record<
  string,
  K8sObject[]
>;

const isDapr = (o: K8sObject) => o.apiVersion.startsWith('dapr.io/');
const find = (all: K8sObject[], kind: string, name: string) => all.find((o) => o.kind === kind && o.metadata.name === name);
const list = (value: Json | undefined): JsonObject[] => (Array.isArray(value) ? value.filter(isObject) : []);
const spec = (o: K8sObject | undefined): JsonObject => (isObject(o?.spec) ? o.spec : {});

const ajv = new Ajv({ allErrors: true, strict: true });
const validators = Object.fromEntries(Object.entries(daprSchemas).map(([kind, schema]) => [kind, ajv.compile(schema)]));

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

describe.each(PROFILES)('deploy/overlays/%s (production + its kustomize component)', (profile) => {
  const all = rendered[profile];

  it('when the component is used, then it is a kustomize Component and its overlay is production plus the component', () => {
    const component = parseYaml(
      fs.readFileSync(path.join(ROOT, 'deploy', 'components', profile, 'kustomization.yaml'), 'utf8'),
    ) as JsonObject;
    expect([component.apiVersion, component.kind]).toEqual(['kustomize.config.k8s.io/v1alpha1', 'Component']);
    const overlay = parseYaml(fs.readFileSync(path.join(ROOT, 'deploy', 'overlays', profile, 'kustomization.yaml'), 'utf8')) as JsonObject;
    expect(overlay).toMatchObject({ namespace: 'staycar', resources: ['../production'], components: [`../../components/${profile}`] });
  });

  withKubectl('when built by kubectl kustomize, then it equals what the test renders', () => {
    const out = execFileSync('kubectl', ['kustomize', path.join(ROOT, 'deploy', 'overlays', profile)], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'staycar-kustomize-')), 'out.yaml');
    fs.writeFileSync(file, out);
    const byId = (objects: K8sObject[]) => Object.fromEntries(objects.map((o) => [objectId(o), o]));
    expect(byId(all)).toEqual(byId(readObjects(file)));
  });

  it('when validated with kubernetes-models and Dapr 1.18 CRD schemas, then every object is valid (no unknown field)', () => {
    const k8s = all.filter((o) => !isDapr(o));
    const results = validateWithKubernetesModels(k8s);
    expect(results).toHaveLength(k8s.length);
    expect(results.filter((r) => r.errors.length > 0)).toEqual([]);
    const dapr = all.filter(isDapr);
    const errors = dapr.map((o) => {
      const validate = validators[o.kind];
      return {
        id: objectId(o),
        errors: validate
          ? validate(o)
            ? []
            : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)
          : [`no schema for ${o.kind}`],
      };
    });
    expect(errors.filter((e) => e.errors.length > 0)).toEqual([]);
  });

  it('when deployed, then everything of production is there and in namespace staycar; only Dapr Components, the Resiliency and NetworkPolicies of the component differ', () => {
    const ids = new Set(all.map(objectId));
    for (const o of production) expect([objectId(o), ids.has(objectId(o))]).toEqual([objectId(o), true]);
    for (const o of all.filter((x) => x.kind !== 'Namespace'))
      expect([objectId(o), o.metadata.namespace]).toEqual([objectId(o), 'staycar']);
    const changed = all.filter((o) => {
      const before = production.find((p) => objectId(p) === objectId(o));
      return !before || JSON.stringify(before) !== JSON.stringify(o);
    });
    expect([...new Set(changed.map((o) => o.kind))].sort()).toEqual(expect.arrayContaining(['Component', 'Resiliency']));
    for (const o of changed) expect(['Component', 'Resiliency', 'NetworkPolicy']).toContain(o.kind);
  });

  const local = fs
    .readdirSync(path.join(ROOT, 'components', profile))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => readObjects(path.join(ROOT, 'components', profile, f)));

  it.each(
    local
      .filter((c) => c.kind === 'Component' && spec(c).type !== 'secretstores.local.file' && spec(c).type !== 'bindings.localstorage')
      .map((c) => [c.metadata.name, c] as const),
  )(
    'when component %s of the profile is deployed, then type, version, scopes and settings are those of components/<profile> (connection details from a Secret)',
    (name, source) => {
      const copy = find(all, 'Component', name);
      expect(copy).toBeDefined();
      expect([spec(copy).type, spec(copy).version]).toEqual([spec(source).type, spec(source).version]);
      expect([...((copy!.scopes as string[]) ?? [])].sort()).toEqual([...((source.scopes as string[]) ?? [])].sort());
      const sourceMeta = list(spec(source).metadata);
      const copyMeta = list(spec(copy).metadata);
      expect(copyMeta.map((m) => m.name).sort()).toEqual(sourceMeta.map((m) => m.name).sort());
      for (const m of copyMeta) {
        if (isObject(m.secretKeyRef)) {
          // A connection detail: from a Secret through the kubernetes secret store, never a literal.
          expect(copy!.auth).toEqual({ secretStore: 'kubernetes' });
          continue;
        }
        // The stays-end cron fires every minute locally and in tests, every 15 minutes on Kubernetes.
        if (spec(copy).type === 'bindings.cron' && m.name === 'schedule') continue;
        expect([m.name, m.value]).toEqual([m.name, sourceMeta.find((s) => s.name === m.name)?.value]);
      }
      for (const m of copyMeta.filter((x) => /password|connectionstring|brokers|host/i.test(String(x.name)))) {
        expect([m.name, isObject(m.secretKeyRef), m.value]).toEqual([m.name, true, undefined]);
      }
    },
  );

  it("when the profile's Resiliency is deployed, then it equals components/<profile>/resiliency.yaml (namespace aside)", () => {
    const source = local.find((o) => o.kind === 'Resiliency')!;
    const copy = find(all, 'Resiliency', source.metadata.name)!;
    const { namespace: _ns, ...meta } = copy.metadata;
    expect({ ...copy, metadata: meta }).toEqual(source);
  });
});
