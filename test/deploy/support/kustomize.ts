/**
 * The subset of kustomize that deploy/ uses, rendered in TypeScript so `npm test` needs no
 * kustomize binary: `resources` (files and directories with a kustomization), `components`
 * (directories with a `kind: Component` kustomization: its resources are added, then its patches
 * applied, after the including kustomization's resources and before its own patches), `namespace`,
 * `patches` (strategic merge patches from files, matched by kind + name) and `images`.
 * Anything else in a kustomization.yaml is an error here, so deploy/ cannot drift into features
 * this renderer would silently ignore. Where kubectl is installed, the test compares this output
 * with `kubectl kustomize`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface K8sObject extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: JsonObject & { name: string; namespace?: string };
}

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'components', 'namespace', 'patches', 'images']);

/** Kinds without a namespace (the ones that could appear here). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'IngressClass',
  'PriorityClass',
]);

/** Kinds whose patches kustomize merges strategically; others (CRDs such as Dapr's) get a JSON merge patch. */
const BUILT_IN_GROUPS = new Set(['v1', 'apps/v1', 'autoscaling/v2', 'policy/v1', 'networking.k8s.io/v1', 'batch/v1']);

/** Strategic-merge keys of the list fields deploy/ uses (from the Kubernetes API's patchMergeKey). */
const MERGE_KEYS: Record<string, (item: JsonObject) => string> = {
  containers: () => 'name',
  initContainers: () => 'name',
  env: () => 'name',
  volumes: () => 'name',
  volumeMounts: () => 'mountPath',
  imagePullSecrets: () => 'name',
  // Container ports merge on containerPort, Service ports on port.
  ports: (item) => ('containerPort' in item ? 'containerPort' : 'port'),
};

export class KustomizeError extends Error {}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectId(o: K8sObject): string {
  return `${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`;
}

/** Every YAML document of a file that is not empty, checked to look like a Kubernetes object. */
export function readObjects(file: string): K8sObject[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  const objects: K8sObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new KustomizeError(`${file}: ${doc.errors[0].message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isObject(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
      throw new KustomizeError(`${file}: a document without apiVersion/kind`);
    }
    const metadata = value.metadata;
    if (!isObject(metadata) || typeof metadata.name !== 'string') {
      throw new KustomizeError(`${file}: ${value.kind} without metadata.name`);
    }
    objects.push(value as K8sObject);
  }
  return objects;
}

function clone<T extends Json>(value: T): T {
  return structuredClone(value);
}

/** RFC 7386 JSON merge patch: objects merge, null deletes, everything else replaces. */
export function jsonMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = jsonMergePatch(result[key] ?? null, value);
  }
  return result;
}

/** Strategic merge patch for the fields deploy/ patches: objects merge, keyed lists merge by key. */
export function strategicMergePatch(target: Json, patch: Json, field = ''): Json {
  if (Array.isArray(patch)) {
    const keyOf = MERGE_KEYS[field];
    if (!keyOf || !Array.isArray(target) || !patch.every(isObject)) return clone(patch);
    // As kustomize orders them: the patch's items first (merged with their originals), then the
    // originals the patch does not mention.
    const rest = clone(target);
    const merged: Json[] = [];
    for (const item of patch) {
      const key = keyOf(item);
      const index = rest.findIndex((existing) => isObject(existing) && existing[key] === item[key]);
      if (index === -1) merged.push(clone(item));
      else merged.push(strategicMergePatch(rest.splice(index, 1)[0], item, field));
    }
    return [...merged, ...rest];
  }
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) throw new KustomizeError(`patch directive ${key} is not supported by this renderer`);
    if (value === null) delete result[key];
    else result[key] = strategicMergePatch(result[key] ?? null, value, key);
  }
  return result;
}

interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  if (at !== -1) return { name: image.slice(0, at), digest: image.slice(at + 1) };
  const colon = image.lastIndexOf(':');
  if (colon > image.lastIndexOf('/')) return { name: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { name: image };
}

function applyImages(objects: K8sObject[], rules: ImageRule[]): void {
  const visit = (node: Json): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
        for (const container of value) {
          if (!isObject(container) || typeof container.image !== 'string') continue;
          const current = splitImage(container.image);
          const rule = rules.find((r) => r.name === current.name);
          if (!rule) continue;
          const name = rule.newName ?? current.name;
          if (rule.digest) container.image = `${name}@${rule.digest}`;
          else if (rule.newTag) container.image = `${name}:${rule.newTag}`;
          else container.image = current.digest ? `${name}@${current.digest}` : current.tag ? `${name}:${current.tag}` : name;
        }
      } else {
        visit(value);
      }
    }
  };
  objects.forEach(visit);
}

function readKustomization(dir: string): JsonObject {
  const file = path.join(dir, 'kustomization.yaml');
  if (!fs.existsSync(file)) throw new KustomizeError(`${dir}: no kustomization.yaml`);
  const docs = readYamlObject(file);
  for (const key of Object.keys(docs)) {
    if (!SUPPORTED_FIELDS.has(key)) {
      throw new KustomizeError(`${file}: "${key}" is outside the kustomize subset this test renders (${[...SUPPORTED_FIELDS].join(', ')})`);
    }
  }
  return docs;
}

function readYamlObject(file: string): JsonObject {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  if (docs.length !== 1 || docs[0].errors.length > 0) throw new KustomizeError(`${file}: expected one YAML document`);
  const value: unknown = docs[0].toJS();
  if (!isObject(value)) throw new KustomizeError(`${file}: expected a mapping`);
  return value;
}

function stringList(value: Json | undefined, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new KustomizeError(`${what} must be a list of strings`);
  }
  return value;
}

function checkUnique(objects: K8sObject[], dir: string): void {
  const seen = new Set<string>();
  for (const o of objects) {
    const id = objectId(o);
    if (seen.has(id)) throw new KustomizeError(`${dir}: ${id} is defined twice`);
    seen.add(id);
  }
}

function applyPatches(objects: K8sObject[], k: JsonObject, dir: string): void {
  const patches = k.patches ?? [];
  if (!Array.isArray(patches)) throw new KustomizeError(`${dir}: patches must be a list`);
  for (const entry of patches) {
    if (!isObject(entry) || typeof entry.path !== 'string' || Object.keys(entry).length !== 1) {
      throw new KustomizeError(`${dir}: only patches of the form {path: file} are supported`);
    }
    for (const patch of readObjects(path.resolve(dir, entry.path))) {
      const index = objects.findIndex(
        (o) => o.kind === patch.kind && o.apiVersion === patch.apiVersion && o.metadata.name === patch.metadata.name,
      );
      if (index === -1)
        throw new KustomizeError(`${dir}: patch ${entry.path} targets ${patch.kind}/${patch.metadata.name}, which does not exist`);
      const merged = BUILT_IN_GROUPS.has(patch.apiVersion)
        ? strategicMergePatch(objects[index], patch)
        : jsonMergePatch(objects[index], patch);
      objects[index] = merged as K8sObject;
    }
  }
}

/** Renders the kustomization in `dir` (like `kustomize build dir`), objects in resource order. */
export function renderKustomization(dir: string): K8sObject[] {
  const k = readKustomization(dir);
  const objects: K8sObject[] = [];
  for (const resource of stringList(k.resources, `${dir} resources`)) {
    const target = path.resolve(dir, resource);
    if (!fs.existsSync(target)) throw new KustomizeError(`${dir}: resource ${resource} does not exist`);
    objects.push(...(fs.statSync(target).isDirectory() ? renderKustomization(target) : readObjects(target)));
  }

  for (const component of stringList(k.components, `${dir} components`)) {
    const cdir = path.resolve(dir, component);
    const ck = readKustomization(cdir);
    if (ck.kind !== 'Component' || ck.apiVersion !== 'kustomize.config.k8s.io/v1alpha1') {
      throw new KustomizeError(`${cdir}: a component's kustomization.yaml must be kind Component of kustomize.config.k8s.io/v1alpha1`);
    }
    for (const key of ['namespace', 'images', 'components'])
      if (ck[key] !== undefined) throw new KustomizeError(`${cdir}: "${key}" in a component is outside the rendered subset`);
    for (const resource of stringList(ck.resources, `${cdir} resources`)) objects.push(...readObjects(path.resolve(cdir, resource)));
    checkUnique(objects, cdir);
    applyPatches(objects, ck, cdir);
  }
  checkUnique(objects, dir);
  applyPatches(objects, k, dir);

  if (k.namespace !== undefined) {
    if (typeof k.namespace !== 'string') throw new KustomizeError(`${dir}: namespace must be a string`);
    for (const o of objects) {
      // As kustomize does: a Namespace object takes the kustomization's namespace as its name.
      if (o.kind === 'Namespace') o.metadata.name = k.namespace;
      else if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
    }
  }

  const images = k.images ?? [];
  if (!Array.isArray(images)) throw new KustomizeError(`${dir}: images must be a list`);
  const rules = images.map((rule): ImageRule => {
    if (!isObject(rule) || typeof rule.name !== 'string') throw new KustomizeError(`${dir}: every image needs a name`);
    for (const key of Object.keys(rule)) {
      if (!['name', 'newName', 'newTag', 'digest'].includes(key)) throw new KustomizeError(`${dir}: image field ${key} is not supported`);
      if (typeof rule[key] !== 'string') throw new KustomizeError(`${dir}: image field ${key} must be a string (quote tags like "1.0")`);
    }
    return rule as unknown as ImageRule;
  });
  applyImages(objects, rules);
  return objects;
}
