// Cached, version-stamped builds of the cluster's Go programs (the pattern of scripts/lib/daprd-build.mjs):
// each component of scripts/cluster/components.mjs is built from its wrapper module tools/k8s/<module>
// into `~/.cache/staycar/k8s/<name>-<version>-<hash>/`, hash = the module's go.mod + go.sum + the
// build recipe. A folder is complete when its `staycar.json` stamp exists; only a new version or a
// changed module builds again. Every build runs under `nice -n 19` (the 2 cores are shared).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../lib/paths.mjs';

export class ClusterBuildError extends Error {}

export const TOOLS = path.join(ROOT, 'tools', 'k8s');
export const cacheRoot = () => path.join(process.env.STAYCAR_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'staycar'), 'k8s');

const readIf = (file) => (fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0));

/** The files of a wrapper module that a build depends on: go.mod, go.sum and its own .go sources. */
const moduleFiles = (dir) =>
  fs
    .readdirSync(dir)
    .filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go'))
    .sort()
    .map((f) => path.join(dir, f));

/** Hash of what a component's build depends on (16 hex digits). */
export function componentHash(component) {
  const dir = path.join(TOOLS, component.module);
  const hash = createHash('sha256');
  for (const file of moduleFiles(dir)) hash.update(path.basename(file)).update(readIf(file));
  hash.update(JSON.stringify({ version: component.version, ldflags: component.ldflags, binaries: component.binaries, recipe: RECIPE }));
  return hash.digest('hex').slice(0, 16);
}

/** What every build shares; part of the hash so a change of it builds again. */
const RECIPE = { env: { CGO_ENABLED: '0' }, flags: ['-trimpath'], ldflags: ['-s', '-w'] };

export const componentDir = (component) => path.join(cacheRoot(), `${component.name}-${component.version}-${componentHash(component)}`);
const stampOf = (dir) => path.join(dir, 'staycar.json');

export function readStamp(dir) {
  try {
    return JSON.parse(fs.readFileSync(stampOf(dir), 'utf8'));
  } catch {
    return null;
  }
}

/** Runs a built binary the way components.mjs says and answers whether it reports the pinned version. */
export function binaryOk(file, spec) {
  if (!fs.existsSync(file)) return false;
  const run = spawnSync(file, spec.args ?? [], {
    encoding: 'utf8',
    env: { ...process.env, ...(spec.env ?? {}) },
    input: '',
    timeout: 30_000,
  });
  return `${run.stdout}${run.stderr}`.includes(spec.expect);
}

/** `nice -n 19 go <args>` in a module folder, with a progress line every `everyMs` and the packages compiled so far. */
function niceGo(args, { cwd, env, label, expected, progress, everyMs }) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn('nice', ['-n', '19', 'go', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    let packages = 0;
    const keep = (chunk) => {
      const text = chunk.toString();
      // `go build -v` names each package as it is compiled (cached ones are not named).
      packages += text.split('\n').filter((l) => /^[\w.-]+(\/[\w.~-]+)*$/.test(l.trim()) && l.trim() !== '').length;
      tail = (tail + text).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const ticker = setInterval(
      () =>
        progress(
          `  still building ${label}: ${Math.round((Date.now() - t0) / 1000)} s elapsed, ${packages} packages compiled (${expected})`,
        ),
      everyMs,
    );
    child.on('error', (error) => {
      clearInterval(ticker);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve({ seconds: (Date.now() - t0) / 1000, packages });
      else reject(new ClusterBuildError(`go ${args[0]} of ${label} failed (exit ${code}):\n${tail}`));
    });
  });
}

/**
 * Makes sure a component is built and cached. Answers { action: 'cached' | 'built', dir, seconds }.
 * `force` builds again even when the cache is complete.
 */
export async function ensureComponent(component, { progress = () => {}, everyMs = 30_000, force = false } = {}) {
  const dir = componentDir(component);
  const stamp = readStamp(dir);
  const specs = Object.entries(component.binaries);
  if (!force && stamp && specs.every(([bin, spec]) => binaryOk(path.join(dir, 'bin', bin), spec))) {
    return { action: 'cached', dir, seconds: 0 };
  }
  const moduleDir = path.join(TOOLS, component.module);
  const env = { ...process.env, ...RECIPE.env, GOFLAGS: '-mod=readonly' };
  const ldflags = [...RECIPE.ldflags, ...component.ldflags].join(' ');
  const work = `${dir}.tmp-${process.pid}`;
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.join(work, 'bin'), { recursive: true });
  const t0 = Date.now();
  progress(`building ${component.name} ${component.version} from tools/k8s/${component.module} (${component.expected}; nice -n 19)`);
  try {
    let i = 0;
    for (const [bin, spec] of specs) {
      i += 1;
      const label = `${component.name} ${bin} (${i}/${specs.length})`;
      const out = path.join(work, 'bin', bin);
      const { seconds, packages } = await niceGo(['build', '-v', ...RECIPE.flags, '-ldflags', ldflags, '-o', out, spec.pkg], {
        cwd: moduleDir,
        env,
        label,
        expected: component.expected,
        progress,
        everyMs,
      });
      if (!binaryOk(out, spec)) {
        const run = spawnSync(out, spec.args ?? [], { encoding: 'utf8', env: { ...process.env, ...(spec.env ?? {}) }, input: '' });
        throw new ClusterBuildError(
          `the built ${bin} does not report "${spec.expect}": ${`${run.stdout}${run.stderr}`.trim().slice(0, 300)}`,
        );
      }
      progress(
        `  built ${bin} in ${Math.round(seconds)} s (${packages} packages compiled, ${(fs.statSync(out).size / 1e6).toFixed(0)} MB)`,
      );
    }
    const seconds = (Date.now() - t0) / 1000;
    const go = execFileSync('go', ['version'], { encoding: 'utf8' }).trim();
    fs.writeFileSync(
      stampOf(work),
      `${JSON.stringify({ name: component.name, version: component.version, hash: componentHash(component), binaries: Object.keys(component.binaries), go, seconds: Math.round(seconds), builtAt: new Date().toISOString() }, null, 2)}\n`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(work, dir);
    return { action: 'built', dir, seconds };
  } catch (error) {
    fs.rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

/** A hard link where the file system allows one, else a copy; replaced atomically. */
export function place(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const tmp = `${to}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  try {
    fs.linkSync(from, tmp);
  } catch {
    fs.copyFileSync(from, tmp);
    fs.chmodSync(tmp, 0o755);
  }
  fs.renameSync(tmp, to);
}
