/**
 * The local cluster's build recipe (scripts/cluster/components.mjs) against its wrapper modules
 * (tools/k8s/<module>/go.mod), without building anything: every pinned version is the one the
 * go.mod requires, every binary is a `tool` of its module, the Kubernetes staging modules are all
 * replaced by their published v0.<minor>.<patch>, etcd's sibling modules by etcd's own version, and
 * the cluster's address ranges neither overlap each other nor hold the node's own address.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

interface Binary {
  pkg: string;
  expect: string;
}
interface Component {
  name: string;
  version: string;
  module: string;
  binaries: Record<string, Binary>;
}
interface Image {
  name: string;
  file: string;
  build?: string;
  from?: Record<string, string>;
}
interface Recipe {
  KUBERNETES_VERSION: string;
  COMPONENTS: Component[];
  IMAGES: Image[];
  NET: Record<string, string | number>;
  hashes: Record<string, string>;
}

/** The ES modules of scripts/cluster, read by a child Node (Jest here compiles CommonJS). */
const recipe = JSON.parse(
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const c = await import('./scripts/cluster/components.mjs');
       const { NET } = await import('./scripts/cluster/lib/layout.mjs');
       const { componentHash } = await import('./scripts/cluster/lib/gobuild.mjs');
       const hashes = Object.fromEntries(c.COMPONENTS.map((x) => [x.name, componentHash(x)]));
       console.log(JSON.stringify({ KUBERNETES_VERSION: c.KUBERNETES_VERSION, COMPONENTS: c.COMPONENTS, IMAGES: c.IMAGES, NET, hashes }));`,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  ),
) as Recipe;

const goMod = (module: string): string => fs.readFileSync(path.join(ROOT, 'tools', 'k8s', module, 'go.mod'), 'utf8');
/** `path version` pairs of a go.mod's require lines (block or single). */
function requires(mod: string): Map<string, string> {
  const found = new Map<string, string>();
  const lines = mod.split('\n');
  let inBlock = false;
  for (const raw of lines) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (line === 'require (') inBlock = true;
    else if (inBlock && line === ')') inBlock = false;
    const m = inBlock ? /^(\S+)\s+(v\S+)$/.exec(line) : /^require\s+(\S+)\s+(v\S+)$/.exec(line);
    if (m) found.set(m[1], m[2]);
  }
  return found;
}
/** The `tool` paths of a go.mod. */
function tools(mod: string): string[] {
  const block = /^tool \(\n([\s\S]*?)\n\)/m.exec(mod);
  if (block)
    return block[1]
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  return [...mod.matchAll(/^tool\s+(\S+)$/gm)].map((m) => m[1]);
}
/** `from => to version` of a go.mod's replace lines. */
function replaces(mod: string): Map<string, { to: string; version: string }> {
  const found = new Map<string, { to: string; version: string }>();
  for (const m of mod.matchAll(/^\s*(?:replace\s+)?(\S+)\s+=>\s+(\S+)\s+(v\S+)\s*$/gm)) found.set(m[1], { to: m[2], version: m[3] });
  return found;
}

const upstreamModule: Record<string, string> = {
  kubernetes: 'k8s.io/kubernetes',
  etcd: 'go.etcd.io/etcd/server/v3',
  containerd: 'github.com/containerd/containerd/v2',
  'cni-plugins': 'github.com/containernetworking/plugins',
  coredns: 'github.com/coredns/coredns',
  helm: 'helm.sh/helm/v3',
  crictl: 'sigs.k8s.io/cri-tools',
  dapr: 'github.com/dapr/dapr',
  'metrics-server': 'sigs.k8s.io/metrics-server',
};

describe('the local cluster build recipe (scripts/cluster, tools/k8s)', () => {
  test.each(recipe.COMPONENTS.map((c) => [c.name, c] as const))(
    'when %s is built, then its wrapper module pins the version the recipe names and lists every binary as a tool',
    (name, component) => {
      const mod = goMod(component.module);
      const upstream = upstreamModule[name];
      if (upstream) expect(requires(mod).get(upstream)).toBe(component.version.replace(/^(?!v)/, 'v'));
      else expect(mod).toMatch(new RegExp(`^module staycar\\.local/tools/k8s/${component.module}$`, 'm'));
      const listed = tools(mod);
      const own = `staycar.local/tools/k8s/${component.module}`;
      for (const binary of Object.values(component.binaries)) if (binary.pkg !== own) expect(listed).toContain(binary.pkg);
      if (requires(mod).size > 0) expect(fs.statSync(path.join(ROOT, 'tools', 'k8s', component.module, 'go.sum')).size).toBeGreaterThan(0);
    },
  );

  test('when Kubernetes is built, then every staging module is replaced by its published version of the same minor and patch', () => {
    const [, minor, patch] = /^v1\.(\d+)\.(\d+)$/.exec(recipe.KUBERNETES_VERSION) ?? [];
    const mod = goMod('kubernetes');
    const staging = [...replaces(mod)].filter(([from]) => from.startsWith('k8s.io/'));
    // k8s.io/kubernetes v1.37 replaces 33 staging modules; all of them must be here.
    expect(staging.length).toBeGreaterThanOrEqual(30);
    for (const [from, { to, version }] of staging) {
      expect(to).toBe(from);
      expect(version).toBe(`v0.${minor}.${patch}`);
    }
    const kube = recipe.COMPONENTS.find((c) => c.name === 'kubernetes');
    for (const binary of Object.values(kube?.binaries ?? {})) expect(binary.expect).toContain(recipe.KUBERNETES_VERSION);
  });

  test("when etcd is built, then its sibling modules are etcd's own version", () => {
    const etcd = recipe.COMPONENTS.find((c) => c.name === 'etcd');
    const mod = goMod('etcd');
    const siblings = [...replaces(mod)];
    expect(siblings.length).toBe(4);
    for (const [, { version }] of siblings) expect(version).toBe(etcd?.version);
  });

  test('when an image is built, then its sources are components of the recipe and the cache key is per component', () => {
    const names = new Set(recipe.COMPONENTS.map((c) => c.name));
    for (const image of recipe.IMAGES) {
      for (const source of Object.values(image.from ?? {})) {
        const [component, bin] = source.split('/');
        expect(names).toContain(component);
        expect(Object.keys(recipe.COMPONENTS.find((c) => c.name === component)?.binaries ?? {})).toContain(bin);
      }
    }
    expect(new Set(Object.values(recipe.hashes)).size).toBe(recipe.COMPONENTS.length);
    for (const hash of Object.values(recipe.hashes)) expect(hash).toMatch(/^[0-9a-f]{16}$/);
  });

  test("when the cluster is up, then its pod, service and node addresses don't overlap and the well-known service IPs are in the service range", () => {
    const toInt = (ip: string): number => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    const range = (cidr: string): [number, number] => {
      const [ip, bits] = cidr.split('/');
      const size = 2 ** (32 - Number(bits));
      const start = Math.floor(toInt(ip) / size) * size;
      return [start, start + size - 1];
    };
    const inRange = (ip: string, cidr: string): boolean => {
      const [a, b] = range(cidr);
      return toInt(ip) >= a && toInt(ip) <= b;
    };
    const { clusterCIDR, podCIDR, serviceCIDR, nodeIP, apiServiceIP, dnsIP } = recipe.NET as Record<string, string>;
    const [c0, c1] = range(clusterCIDR);
    const [s0, s1] = range(serviceCIDR);
    expect(c0 <= s1 && s0 <= c1).toBe(false);
    expect(inRange(podCIDR.split('/')[0], clusterCIDR)).toBe(true);
    expect(inRange(nodeIP, clusterCIDR) || inRange(nodeIP, serviceCIDR)).toBe(false);
    expect(inRange(apiServiceIP, serviceCIDR)).toBe(true);
    expect(inRange(dnsIP, serviceCIDR)).toBe(true);
    // The host's own network here, and the ranges Docker, kind and minikube default to.
    for (const cidr of ['192.0.2.0/24', '172.17.0.0/16', '10.244.0.0/16', '10.96.0.0/12', '192.168.49.0/24']) {
      const [h0, h1] = range(cidr);
      expect(c0 <= h1 && h0 <= c1).toBe(false);
      expect(s0 <= h1 && h0 <= s1).toBe(false);
    }
  });
});
