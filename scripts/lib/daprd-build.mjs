// The pinned, patched daprd (and sentry, from the same module): built from the Go module proxy (tools/daprd + tools/daprd/patches) into
// a cache keyed by version and source hash, then put into the Dapr bin directory (~/.dapr/bin).
// An empty bin directory is filled from the cache in a second; only a new version or a changed
// patch builds again. test/setup proves the empty-directory path on every test run.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DAPR_BIN, ROOT, dataDir } from './paths.mjs';

export class DaprdBuildError extends Error {}

const versions = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'versions.json'), 'utf8'));
const MODULE = path.join(ROOT, 'tools', 'daprd');
const PATCHES = path.join(MODULE, 'patches');
/**
 * daprd's Go build tags: only the components this system uses (issue 15 lever 7), registered by
 * patches/…/cmd/daprd/components/zz_staycar.go, instead of `stablecomponents` (every stable
 * component linked in). Part of the recipe hash, so changing them rebuilds.
 */
export const DAPRD_TAGS = ['staycarcomponents'];
/** The file that registers daprd's components (test/setup/daprd-components.test.ts reads it). */
export const DAPRD_REGISTRATIONS = path.join(PATCHES, `github.com/dapr/dapr@v${versions.dapr}`, 'cmd', 'daprd', 'components', 'zz_staycar.go');
/** What a cold build takes on this project's 2-core machines (README "Other figures"). */
export const EXPECTED_BUILD = 'about 4–5 minutes on 2 cores, plus the module download the first time';

const output = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return '';
  }
};

export const daprdVersionOf = (file) => (fs.existsSync(file) ? output(file, ['--version']) : '');

/**
 * The version a built binary reports: daprd says it (`--version`); sentry has no such flag, so a
 * sentry that runs counts as the version of the cache folder or stamp it came with.
 */
function versionOf(name, file, version) {
  if (name === 'daprd') return daprdVersionOf(file);
  if (!fs.existsSync(file)) return '';
  const help = spawnSync(file, ['--help'], { encoding: 'utf8' });
  return /Usage of sentry/.test(`${help.stdout}${help.stderr}`) ? version : '';
}

export function goVersionOk() {
  const v = /go(\d+)\.(\d+)(?:\.(\d+))?/.exec(output('go', ['version']));
  if (!v) return false;
  const want = versions.goMin.split('.').map(Number);
  const have = [Number(v[1]), Number(v[2]), Number(v[3] ?? 0)];
  for (let i = 0; i < 3; i++) if (have[i] !== want[i]) return have[i] > want[i];
  return true;
}

const filesUnder = (dir) =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? e.path, e.name)).sort()
    : [];

/** Hash of what the build depends on: tools/daprd/go.mod, go.sum, every file of patches/ and daprd's build tags. */
export function sourceHash() {
  const hash = createHash('sha256');
  hash.update(`tags=${DAPRD_TAGS.join(',')}`);
  for (const file of [path.join(MODULE, 'go.mod'), path.join(MODULE, 'go.sum'), ...filesUnder(PATCHES)]) {
    hash.update(path.relative(MODULE, file)).update(fs.readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Builds, one folder per version and source hash: `~/.cache/staycar/daprd/<version>-<hash>/<daprd|sentry>`. */
export const cacheDir = () => path.join(process.env.STAYCAR_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'staycar'), 'daprd');
const cachedBinary = (name, version, source) => path.join(cacheDir(), `${version}-${source}`, name);

const stampFile = (binDir, name) => path.join(binDir, `${name}.staycar.json`);
function readStamp(binDir, name) {
  try {
    return JSON.parse(fs.readFileSync(stampFile(binDir, name), 'utf8'));
  } catch {
    return {};
  }
}

/** A hard link where the file system allows one (131 MB), else a copy; written atomically. */
function place(from, to) {
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

/**
 * The patched modules of tools/daprd/patches/<module>@<version>/…: each is copied out of the module
 * cache (Go refuses -overlay there), the patched files laid over it, and a go.mod copy with a
 * `replace` to the copy is returned for `go build -modfile`.
 */
function patchedModfile(env) {
  const build = dataDir('build');
  const modfile = path.join(build, 'daprd.mod');
  let mod = fs.readFileSync(path.join(MODULE, 'go.mod'), 'utf8');
  const modules = fs.existsSync(PATCHES) ? fs.readdirSync(PATCHES, { recursive: true }).filter((p) => /@v[^/]+$/.test(p)) : [];
  for (const rel of modules) {
    const [modulePath, version] = rel.split('@');
    const info = execFileSync('go', ['mod', 'download', '-json', `${modulePath}@${version}`], { cwd: MODULE, env, encoding: 'utf8' });
    const copy = path.join(build, rel);
    fs.rmSync(copy, { recursive: true, force: true });
    fs.cpSync(JSON.parse(info).Dir, copy, { recursive: true });
    spawnSync('chmod', ['-R', 'u+w', copy]);
    fs.cpSync(path.join(PATCHES, rel), copy, { recursive: true });
    mod += `\nreplace ${modulePath} ${version} => ${copy}\n`;
  }
  fs.writeFileSync(modfile, mod);
  fs.copyFileSync(path.join(MODULE, 'go.sum'), path.join(build, 'daprd.sum'));
  return modfile;
}

/** `go build` with a progress line every `everyMs` (elapsed time), so a long build never looks hung. */
function goBuild(name, args, { env, progress, everyMs }) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn('go', args, { cwd: MODULE, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk) => (tail = (tail + chunk).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const ticker = setInterval(() => progress(`still building ${name} from source: ${Math.round((Date.now() - t0) / 1000)} s elapsed (${EXPECTED_BUILD})`), everyMs);
    child.on('error', (error) => {
      clearInterval(ticker);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new DaprdBuildError(`go build of ${name} failed (exit ${code}):\n${tail}`));
    });
  });
}

async function buildInto(name, target, { version, progress, everyMs }) {
  progress(`building ${name} ${version} from source (Go module proxy, with tools/daprd/patches): ${EXPECTED_BUILD}`);
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' };
  const modfile = patchedModfile(env);
  const ldflags = `-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=${version} -X github.com/dapr/kit/logger.DaprVersion=${version}`;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}`;
  const tags = name === 'daprd' ? ['-tags', DAPRD_TAGS.join(',')] : [];
  await goBuild(name, ['build', '-modfile', modfile, ...tags, '-trimpath', '-ldflags', ldflags, '-o', tmp, `github.com/dapr/dapr/cmd/${name}`], { env, progress, everyMs });
  const built = versionOf(name, tmp, version);
  if (built !== version) throw new DaprdBuildError(`the built ${name} reports "${built}", expected ${version}`);
  fs.renameSync(tmp, target);
}

/**
 * Makes `<binDir>/<name>` (daprd, or sentry — the certificate authority of the local mTLS) the
 * pinned version built from this checkout's sources. Answers what it did: `present` (nothing to
 * do), `reused` (from the cache), `built`, or `foreign` (a binary of the pinned version from
 * elsewhere, kept because Go is missing).
 */
export async function ensureDaprBinary({ name = 'daprd', binDir = DAPR_BIN.dir, progress = () => {}, everyMs = 15_000 } = {}) {
  const version = versions.dapr;
  const source = sourceHash();
  const binary = path.join(binDir, name);
  const cached = cachedBinary(name, version, source);
  const stamp = { version, source };
  const current = versionOf(name, binary, version) === version && readStamp(binDir, name).source === source;
  if (current) {
    // A binary built before the cache existed seeds it, so an empty bin directory is filled from it.
    if (!fs.existsSync(cached)) {
      fs.mkdirSync(path.dirname(cached), { recursive: true });
      place(binary, cached);
    }
    return { action: 'present', binary, version };
  }
  fs.mkdirSync(binDir, { recursive: true });
  if (versionOf(name, cached, version) !== version) {
    const goReady = output('go', ['version']) !== '' && goVersionOk();
    // A binary of the pinned version from elsewhere (`dapr init --slim`): usable, without our patches.
    if (!goReady && versionOf(name, binary, version) === version) return { action: 'foreign', binary, version };
    if (output('go', ['version']) === '') {
      throw new DaprdBuildError(`${name} ${version} is missing and Go is not installed; install Go ≥ ${versions.goMin}, or put a ${name} ${version} in ${binDir} (\`dapr init --slim --runtime-version ${version}\`)`);
    }
    if (!goReady) throw new DaprdBuildError(`Go ≥ ${versions.goMin} is needed to build ${name} ${version}; found: ${output('go', ['version'])}`);
    await buildInto(name, cached, { version, progress, everyMs });
    place(cached, binary);
    fs.writeFileSync(stampFile(binDir, name), `${JSON.stringify({ ...stamp, builtAt: new Date().toISOString() })}\n`);
    return { action: 'built', binary, version };
  }
  place(cached, binary);
  fs.writeFileSync(stampFile(binDir, name), `${JSON.stringify({ ...stamp, reusedAt: new Date().toISOString() })}\n`);
  return { action: 'reused', binary, version };
}

/** The daprd of ensureDaprBinary, answering `daprd` for its path (the set-up's step and test/setup). */
export async function ensureDaprd(options = {}) {
  const { binary, ...rest } = await ensureDaprBinary({ ...options, name: 'daprd' });
  return { ...rest, daprd: binary };
}
