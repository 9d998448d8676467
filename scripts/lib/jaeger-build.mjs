// Jaeger, the local trace store and viewer (scripts/lib/tracing.mjs starts it): `cmd/jaeger` of
// the pinned module github.com/jaegertracing/jaeger, built from the Go module proxy through the
// wrapper module tools/jaeger (go.mod and go.sum pin every dependency), into a cache keyed by
// version and source hash: `~/.cache/staycar/jaeger/<version>-<hash>/jaeger`. Present: nothing to
// do; missing: one `go build` (a progress line every 15 s). test/setup proves the build into a
// throwaway cache directory.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './paths.mjs';
import { goVersionOk } from './daprd-build.mjs';

export class JaegerBuildError extends Error {}
/** No Go, or one too old: the system runs without traces (the set-up says so, ℹ). */
export class GoMissingError extends JaegerBuildError {}

const MODULE = path.join(ROOT, 'tools', 'jaeger');
const PACKAGE = 'github.com/jaegertracing/jaeger/cmd/jaeger';
/** What a cold build takes on this project's 2-core machines (README "Traces"). */
export const EXPECTED_BUILD = 'about 4 minutes on 2 cores, plus the module download the first time';

export const jaegerVersion = () => JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'versions.json'), 'utf8')).jaeger;

/** Hash of what the build depends on: tools/jaeger/go.mod and go.sum. */
export function sourceHash() {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) hash.update(file).update(fs.readFileSync(path.join(MODULE, file)));
  return hash.digest('hex').slice(0, 16);
}

export const defaultCacheDir = () => path.join(process.env.STAYCAR_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'staycar'), 'jaeger');

/** Where the binary of this checkout's pin lives under `cacheDir`. */
export const jaegerBinary = (cacheDir = defaultCacheDir()) => path.join(cacheDir, `${jaegerVersion()}-${sourceHash()}`, 'jaeger');

/** The version a binary reports (`jaeger version` prints JSON with gitVersion), '' when it does not run. */
export function versionOf(file) {
  if (!fs.existsSync(file)) return '';
  try {
    const out = execFileSync(file, ['version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    return /"gitVersion"\s*:\s*"v?([^"]+)"/.exec(out)?.[1] ?? '';
  } catch {
    return '';
  }
}

function goBuild(args, { env, progress, everyMs }) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn('go', args, { cwd: MODULE, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk) => (tail = (tail + chunk).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const ticker = setInterval(() => progress(`still building jaeger from source: ${Math.round((Date.now() - t0) / 1000)} s elapsed (${EXPECTED_BUILD})`), everyMs);
    child.on('error', (error) => {
      clearInterval(ticker);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new JaegerBuildError(`go build of jaeger failed (exit ${code}):\n${tail}`));
    });
  });
}

/**
 * Makes the pinned Jaeger present in `cacheDir`: `present` (nothing to do) or `built`. Without Go
 * (or with one too old) it throws JaegerBuildError saying so; the launcher then runs without traces.
 */
export async function ensureJaeger({ cacheDir = defaultCacheDir(), progress = () => {}, everyMs = 15_000 } = {}) {
  const version = jaegerVersion();
  const binary = jaegerBinary(cacheDir);
  if (versionOf(binary) === version) return { action: 'present', binary, version };
  let go = '';
  try {
    go = execFileSync('go', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    throw new GoMissingError(`jaeger ${version} is missing and Go is not installed: install Go to build it (traces stay off without it)`);
  }
  if (!goVersionOk()) throw new GoMissingError(`a newer Go is needed to build jaeger ${version}; found: ${go}`);
  progress(`building jaeger ${version} from source (Go module proxy, tools/jaeger): ${EXPECTED_BUILD}`);
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  const tmp = `${binary}.tmp-${process.pid}`;
  // What `jaeger version` reports (internal/version), as the release build stamps it.
  const ldflags = `-s -w -X github.com/jaegertracing/jaeger/internal/version.latestVersion=v${version}`;
  await goBuild(['build', '-trimpath', '-ldflags', ldflags, '-o', tmp, PACKAGE], {
    env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
    progress,
    everyMs,
  });
  const built = versionOf(tmp);
  if (built !== version) {
    fs.rmSync(tmp, { force: true });
    throw new JaegerBuildError(`the built jaeger reports "${built}", expected ${version}`);
  }
  fs.renameSync(tmp, binary);
  return { action: 'built', binary, version };
}
