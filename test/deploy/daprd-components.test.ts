/**
 * daprd is built with only the components this system uses (issue 15 lever 7): `-tags
 * staycarcomponents` (scripts/lib/daprd-build.mjs) instead of `stablecomponents`, the components
 * registered by tools/daprd/patches/…/cmd/daprd/components/zz_staycar.go. The same daprd is the
 * local sidecar and the Kubernetes sidecar image (scripts/cluster). Offline: every component a
 * YAML of components/ or deploy/ names (spec.type + spec.version), every name resolver and HTTP
 * middleware a Configuration names, must be registered in that file — else daprd refuses the
 * component at start ("couldn't find … in the registry").
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');
const versions = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'versions.json'), 'utf8')) as { dapr: string };
const COMPONENTS_DIR = path.join(ROOT, 'tools', 'daprd', 'patches', `github.com/dapr/dapr@v${versions.dapr}`, 'cmd', 'daprd', 'components');
const REGISTRATIONS = path.join(COMPONENTS_DIR, 'zz_staycar.go');

const LOADERS: Record<string, string> = {
  'pkg/components/state': 'state',
  'pkg/components/pubsub': 'pubsub',
  'pkg/components/bindings': 'bindings',
  'pkg/components/secretstores': 'secretstores',
  'pkg/components/nameresolution': 'nameresolution',
  'pkg/components/middleware/http': 'middleware.http',
  'pkg/components/configuration': 'configuration',
  'pkg/components/lock': 'lock',
  'pkg/components/crypto': 'crypto',
  'pkg/components/conversation': 'conversation',
};

/** `kind.name` → the versions registered for it, read from a registration file's Go source. */
function registeredComponents(source: string): Map<string, Set<string>> {
  const alias = new Map<string, string>();
  for (const m of source.matchAll(/^\s*(\w+)\s+"github\.com\/dapr\/dapr\/(pkg\/components\/[\w/]+)"/gm)) {
    if (LOADERS[m[2]]) alias.set(m[1], LOADERS[m[2]]);
  }
  const found = new Map<string, Set<string>>();
  const add = (key: string, vs: string[]) => found.set(key, new Set([...(found.get(key) ?? []), ...vs]));
  // A call runs from `<loader>.DefaultRegistry.Register…(` to the next registration (or the end).
  const calls = [...source.matchAll(/(\w+)\.DefaultRegistry\.(Register\w*)\(/g)];
  calls.forEach((call, i) => {
    const kind = alias.get(call[1]);
    if (!kind) throw new Error(`registration through unknown loader ${call[1]}`);
    const body = source.slice(call.index, calls[i + 1]?.index ?? source.length);
    const names = [...body.matchAll(/"([\w.\-/]+)"/g)].map((m) => m[1]).filter((s) => !/^v\d+$/.test(s));
    if (call[2] === 'RegisterComponentWithVersions') {
      const vs = [...body.matchAll(/Version:\s*"(v\d+)"/g)].map((m) => m[1]);
      add(`${kind}.${names[0]}`, vs);
    } else {
      // Unversioned registrations answer "", v0 and v1 (dapr pkg/components: IsInitialVersion).
      for (const n of names) add(`${kind}.${n}`, ['v1']);
    }
  });
  return found;
}

const yamlFiles = (dir: string): string[] =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();

type Need = { type: string; version: string; where: string };

/** Every component type (and version) this system's YAML asks daprd for. */
function neededComponents(): Need[] {
  const needs: Need[] = [];
  const files = [
    ...yamlFiles(path.join(ROOT, 'components')),
    ...yamlFiles(path.join(ROOT, 'deploy')),
    ...yamlFiles(path.join(ROOT, 'dapr')),
  ];
  for (const file of files) {
    const where = path.relative(ROOT, file);
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const obj = doc.toJS() as { apiVersion?: string; kind?: string; spec?: Record<string, unknown> } | null;
      if (!obj || typeof obj !== 'object' || !String(obj.apiVersion ?? '').startsWith('dapr.io/')) continue;
      const spec = obj.spec ?? {};
      if (obj.kind === 'Component') {
        needs.push({ type: String(spec.type), version: String(spec.version ?? 'v1'), where });
      } else if (obj.kind === 'Configuration') {
        const nr = spec.nameResolution as { component?: string; version?: string } | undefined;
        if (nr?.component) needs.push({ type: `nameresolution.${nr.component}`, version: nr.version || 'v1', where });
        for (const key of ['httpPipeline', 'appHttpPipeline']) {
          const handlers = (spec[key] as { handlers?: { type: string; version?: string }[] } | undefined)?.handlers ?? [];
          for (const h of handlers) needs.push({ type: h.type, version: h.version || 'v1', where });
        }
      }
    }
  }
  return needs;
}

describe('daprd is built with the components this system uses, and only those', () => {
  const source = fs.readFileSync(REGISTRATIONS, 'utf8');
  const registered = registeredComponents(source);
  const needs = neededComponents();

  it('the build recipe uses the staycarcomponents tag, and the registration file and the no-tag guard agree', () => {
    const recipe = fs.readFileSync(path.join(ROOT, 'scripts', 'lib', 'daprd-build.mjs'), 'utf8');
    expect(recipe).toMatch(/export const DAPRD_TAGS = \['staycarcomponents'\];/);
    expect(recipe).toMatch(/hash\.update\(`tags=\$\{DAPRD_TAGS/);
    expect(source.split('\n')[0]).toBe('//go:build staycarcomponents && !allcomponents && !stablecomponents');
    // Upstream's zz_notag.go panics unless stablecomponents/allcomponents: ours lets staycarcomponents through.
    expect(fs.readFileSync(path.join(COMPONENTS_DIR, 'zz_notag.go'), 'utf8').split('\n')[0]).toBe(
      '//go:build !allcomponents && !stablecomponents && !staycarcomponents',
    );
  });

  it('reads the YAML: the four profiles and deploy/ name the stores, brokers, binding and secret stores', () => {
    const types = new Set(needs.map((n) => `${n.type}@${n.version}`));
    for (const t of [
      'state.mysql@v1',
      'state.redis@v1',
      'state.postgresql@v2',
      'pubsub.redis@v1',
      'pubsub.rabbitmq@v1',
      'pubsub.kafka@v1',
      'bindings.localstorage@v1',
      'secretstores.local.file@v1',
      'secretstores.kubernetes@v1',
      'nameresolution.sqlite@v1',
    ]) {
      expect(types).toContain(t);
    }
  });

  it('every component type and version a YAML names is registered in the build', () => {
    const missing = needs.filter((n) => !registered.get(n.type)?.has(n.version)).map((n) => `${n.type} ${n.version} (${n.where})`);
    expect(missing).toEqual([]);
  });

  it("registers the defaults daprd falls back to: mDNS (self-hosted), Kubernetes name resolution and secret store (Kubernetes mode's built-in store)", () => {
    for (const t of ['nameresolution.mdns', 'nameresolution.kubernetes', 'secretstores.kubernetes'])
      expect(registered.get(t)).toContain('v1');
  });

  it('the parser sees a missing component (a type the build lacks fails the check above)', () => {
    const without = registeredComponents(
      source.replace(/\s*pubsubLoader\.DefaultRegistry\.RegisterComponent\(kafka\.NewKafka, "kafka"\)/, ''),
    );
    expect(registered.has('pubsub.kafka')).toBe(true);
    expect(without.has('pubsub.kafka')).toBe(false);
    expect(registered.get('state.postgresql')).toEqual(new Set(['v1', 'v2']));
  });
});
