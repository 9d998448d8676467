// The set-up's steps after node dependencies. Each step checks first and acts only when needed.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import ora from 'ora';
import { DAPR_BIN, DAPR_HOME, ROOT, dataDir } from './paths.mjs';
import { infra } from './infra.mjs';

const versions = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'versions.json'), 'utf8'));

class SetupError extends Error {}

async function step(label, fn) {
  const t0 = Date.now();
  const spinner = ora({ text: label, stream: process.stdout }).start();
  try {
    const outcome = await fn((text) => (spinner.text = `${label}: ${text}`));
    spinner.succeed(`${outcome ?? label} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (error) {
    spinner.fail(`${label}: ${error.message}`);
    throw error;
  }
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const output = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return '';
  }
};

/** Runs a long command without blocking the spinner; rejects with its last lines on failure. */
function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let tail = '';
    const keep = (chunk) => (tail = (tail + chunk).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(tail) : reject(new SetupError(`${cmd} ${args.join(' ')} failed (exit ${code}):\n${tail}`))));
  });
}

function aptInstall(packages) {
  return async (progress) => {
    const missing = packages.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
    if (missing.length === 0) return `Debian packages present (${packages.join(', ')})`;
    if (process.getuid?.() !== 0) {
      throw new SetupError(`missing ${missing.join(', ')}; run as root or install them: sudo apt-get install -y ${missing.join(' ')}`);
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    progress('apt-get update');
    await run('apt-get', ['update', '-qq'], { env });
    progress(`apt-get install ${missing.join(' ')}`);
    await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
    return `installed ${missing.join(', ')}`;
  };
}

/**
 * Where a Redis stopped by `stopRedis` kept its data: `startRedis` brings it back on the same
 * directory (its AOF), not on this checkout's, which may be another (a second clone, a CI copy).
 */
const REDIS_STOPPED = () => path.join(dataDir('run'), 'redis-stopped.json');
const redisCli = (...args) => output('redis-cli', ['-p', String(infra.redis.port), ...args]);

/** Starts Redis (AOF on) unless it answers; exported for `npm run svc:start -- redis` (fault drills). */
export async function startRedis() {
  const { port } = infra.redis;
  if (redisCli('ping') === 'PONG') return `Redis answers on :${port}`;
  let dir = dataDir('redis');
  if (fs.existsSync(REDIS_STOPPED())) dir = JSON.parse(fs.readFileSync(REDIS_STOPPED(), 'utf8')).dir ?? dir;
  await run('redis-server', [
    '--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--dir', dir,
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--logfile', path.join(dir, 'redis.log'),
  ]);
  for (let i = 0; i < 50; i++) {
    if (redisCli('ping') === 'PONG') {
      fs.rmSync(REDIS_STOPPED(), { force: true });
      return `Redis started on :${port} (AOF in ${dir})`;
    }
    await sleep(100);
  }
  throw new SetupError(`Redis did not answer on :${port}; see ${path.join(dir, 'redis.log')} (port in use? set REDIS_PORT)`);
}

/** Stops Redis cleanly (SHUTDOWN writes the AOF first), remembering its data directory; `npm run svc:stop -- redis`. */
export async function stopRedis() {
  const { port } = infra.redis;
  if (redisCli('ping') !== 'PONG') return `Redis was not running on :${port}`;
  const [, dir] = redisCli('config', 'get', 'dir').split('\n');
  if (dir) fs.writeFileSync(REDIS_STOPPED(), `${JSON.stringify({ dir })}\n`);
  spawnSync('redis-cli', ['-p', String(port), 'shutdown'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (redisCli('ping') !== 'PONG') return `Redis stopped on :${port} (data in ${dir})`;
    await sleep(100);
  }
  throw new SetupError(`Redis on :${port} did not stop`);
}

const mariadbPing = () =>
  spawnSync('mariadb-admin', ['--protocol=tcp', '-h', '127.0.0.1', '-P', String(infra.mysql.port), '-u', infra.mysql.user, `-p${infra.mysql.password}`, 'ping'], { stdio: 'ignore' }).status === 0;
const mariadbRootPing = () => spawnSync('mariadb-admin', ['ping'], { stdio: 'ignore' }).status === 0;

/** Starts MariaDB unless it answers; exported for `npm run svc:start -- mariadb` (fault drills). */
export async function startMariadb() {
  const { port, database, user, password } = infra.mysql;
  let startedHere = false;
  if (!mariadbPing() && !mariadbRootPing()) {
    if (process.getuid?.() !== 0) throw new SetupError(`MariaDB is not running on :${port}; start it (sudo service mariadb start) and re-run`);
    fs.mkdirSync('/run/mysqld', { recursive: true });
    spawnSync('chown', ['mysql:mysql', '/run/mysqld']);
    await run('start-stop-daemon', [
      '--start', '--background', '--exec', '/usr/sbin/mariadbd', '--',
      '--user=mysql', '--bind-address=127.0.0.1', `--port=${port}`,
      '--innodb-flush-log-at-trx-commit=2', '--max-connections=500',
      // Interleaved auto-increment: with the default (1), concurrent upserts into Dapr's state table
      // fail with error 1467 "Failed to read auto-increment value" (seen with 50 racing guests).
      '--innodb-autoinc-lock-mode=2',
    ]);
    startedHere = true;
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      up = mariadbRootPing();
      if (!up) await sleep(200);
    }
    if (!up) throw new SetupError(`MariaDB did not start on :${port}; see /var/log/mysql or run mariadbd by hand to read its error`);
  }
  if (!mariadbPing()) {
    const sql = [
      `CREATE DATABASE IF NOT EXISTS \`${database}\``,
      ...['localhost', '127.0.0.1'].flatMap((host) => [
        `CREATE USER IF NOT EXISTS '${user}'@'${host}' IDENTIFIED BY '${password}'`,
        `GRANT ALL ON \`${database}\`.* TO '${user}'@'${host}'`,
      ]),
      'FLUSH PRIVILEGES',
    ].join('; ');
    await run('mariadb', ['-e', sql]);
  }
  return `MariaDB ${startedHere ? 'started' : 'answers'} on :${port} (database ${database}, user ${user})`;
}

/** Stops MariaDB cleanly (`mariadb-admin shutdown`); `npm run svc:stop -- mariadb` (fault drills). */
export async function stopMariadb() {
  const { port } = infra.mysql;
  if (!mariadbPing() && !mariadbRootPing()) return `MariaDB was not running on :${port}`;
  if (spawnSync('mariadb-admin', ['shutdown'], { stdio: 'ignore' }).status !== 0) {
    throw new SetupError(`MariaDB on :${port} refused to shut down (mariadb-admin shutdown needs root's socket login)`);
  }
  for (let i = 0; i < 150; i++) {
    if (!mariadbRootPing() && !mariadbPing()) return `MariaDB stopped on :${port}`;
    await sleep(100);
  }
  throw new SetupError(`MariaDB on :${port} did not stop`);
}

const daprdVersion = () => (fs.existsSync(DAPR_BIN.daprd) ? output(DAPR_BIN.daprd, ['--version']) : '');

function goVersionOk() {
  const v = /go(\d+)\.(\d+)(?:\.(\d+))?/.exec(output('go', ['version']));
  if (!v) return false;
  const [maj, min, patch] = versions.goMin.split('.').map(Number);
  const have = [Number(v[1]), Number(v[2]), Number(v[3] ?? 0)];
  return have[0] > maj || (have[0] === maj && (have[1] > min || (have[1] === min && have[2] >= patch)));
}

const DAPRD_MODULE = path.join(ROOT, 'tools', 'daprd');
const DAPRD_PATCHES = path.join(DAPRD_MODULE, 'patches');
/** Written beside daprd after a build: which module files and patches it was built from. */
const DAPRD_STAMP = `${DAPR_BIN.daprd}.staycar.json`;

const filesUnder = (dir) =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? e.path, e.name)).sort()
    : [];

/** Hash of what the build depends on: tools/daprd/go.mod, go.sum and every file of patches/. */
function daprdSourceHash() {
  const hash = createHash('sha256');
  for (const file of [path.join(DAPRD_MODULE, 'go.mod'), path.join(DAPRD_MODULE, 'go.sum'), ...filesUnder(DAPRD_PATCHES)]) {
    hash.update(path.relative(DAPRD_MODULE, file)).update(fs.readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

const stampOf = () => {
  try {
    return JSON.parse(fs.readFileSync(DAPRD_STAMP, 'utf8'));
  } catch {
    return {};
  }
};

/**
 * The patched modules of tools/daprd/patches/<module>@<version>/… : each is copied out of the
 * module cache (Go refuses -overlay there), the patched files laid over it, and a go.mod copy
 * with a `replace` to the copy is returned for `go build -modfile`.
 */
function patchedModfile(env) {
  const build = dataDir('build');
  const modfile = path.join(build, 'daprd.mod');
  let mod = fs.readFileSync(path.join(DAPRD_MODULE, 'go.mod'), 'utf8');
  const modules = fs.existsSync(DAPRD_PATCHES) ? fs.readdirSync(DAPRD_PATCHES, { recursive: true }).filter((p) => /@v[^/]+$/.test(p)) : [];
  for (const rel of modules) {
    const [modulePath, version] = rel.split('@');
    const dir = execFileSync('go', ['mod', 'download', '-json', `${modulePath}@${version}`], { cwd: DAPRD_MODULE, env, encoding: 'utf8' });
    const source = JSON.parse(dir).Dir;
    const copy = path.join(build, rel);
    fs.rmSync(copy, { recursive: true, force: true });
    fs.cpSync(source, copy, { recursive: true });
    spawnSync('chmod', ['-R', 'u+w', copy]);
    fs.cpSync(path.join(DAPRD_PATCHES, rel), copy, { recursive: true });
    mod += `\nreplace ${modulePath} ${version} => ${copy}\n`;
  }
  fs.writeFileSync(modfile, mod);
  fs.copyFileSync(path.join(DAPRD_MODULE, 'go.sum'), path.join(build, 'daprd.sum'));
  return modfile;
}

async function daprRuntime(progress) {
  const want = versions.dapr;
  const source = daprdSourceHash();
  if (daprdVersion() === want) {
    if (stampOf().source === source) return `daprd ${want} present in ${DAPR_BIN.dir}`;
    if (!has('go') || !goVersionOk()) {
      // A daprd from elsewhere (`dapr init --slim`): usable, but without tools/daprd/patches.
      return `daprd ${want} present in ${DAPR_BIN.dir}, not built here: it lacks tools/daprd/patches (install Go ≥ ${versions.goMin} to rebuild)`;
    }
  }
  if (!has('go')) throw new SetupError(`daprd ${want} is missing and Go is not installed; install Go ≥ ${versions.goMin} or run \`dapr init --slim --runtime-version ${want}\``);
  if (!goVersionOk()) throw new SetupError(`Go ≥ ${versions.goMin} is needed to build daprd ${want}; found: ${output('go', ['version'])}`);
  fs.mkdirSync(DAPR_BIN.dir, { recursive: true });
  progress(`building daprd ${want} (with tools/daprd/patches) from the Go module proxy (a few minutes on 2 cores)`);
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' };
  const modfile = patchedModfile(env);
  const ldflags = `-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=${want} -X github.com/dapr/kit/logger.DaprVersion=${want}`;
  const tmp = `${DAPR_BIN.daprd}.tmp`;
  await run('go', ['build', '-modfile', modfile, '-tags', 'stablecomponents', '-trimpath', '-ldflags', ldflags, '-o', tmp, 'github.com/dapr/dapr/cmd/daprd'], {
    cwd: DAPRD_MODULE,
    env,
  });
  fs.renameSync(tmp, DAPR_BIN.daprd);
  if (daprdVersion() !== want) throw new SetupError(`built daprd reports "${daprdVersion()}", expected ${want}`);
  fs.writeFileSync(DAPRD_STAMP, `${JSON.stringify({ version: want, source, builtAt: new Date().toISOString() })}\n`);
  return `daprd ${want} built into ${DAPR_BIN.dir}`;
}

/**
 * The Dapr CLI is optional here: `npm start` reads dapr.yaml with its own launcher. We try to
 * build it once per version; the module proxy reachable from our machines does not serve
 * github.com/dapr/cli, and that is remembered so later runs stay quick.
 */
async function daprCli(progress) {
  const want = versions.daprCli;
  const cli = path.join(DAPR_BIN.dir, 'dapr');
  const current = fs.existsSync(cli) ? output(cli, ['version']) : '';
  if (current.includes(`CLI version: ${want}`)) return `dapr CLI ${want} present`;
  const marker = path.join(dataDir('setup'), `dapr-cli-${want}.unavailable`);
  if (fs.existsSync(marker)) return `dapr CLI ${want} not available here (${fs.readFileSync(marker, 'utf8').split('\n')[0]}); using the built-in launcher`;
  if (!has('go')) return 'dapr CLI skipped (no Go); using the built-in launcher';
  progress(`building dapr CLI ${want}`);
  const gobin = fs.mkdtempSync(path.join(os.tmpdir(), 'dapr-cli-'));
  try {
    await run('go', ['install', '-trimpath', '-ldflags', `-s -w -X main.version=${want} -X main.apiVersion=1.0`, `github.com/dapr/cli@v${want}`], {
      env: { ...process.env, CGO_ENABLED: '0', GOBIN: gobin },
    });
    fs.renameSync(path.join(gobin, 'cli'), cli);
    return `dapr CLI ${want} built into ${DAPR_BIN.dir}`;
  } catch (error) {
    const reason = (/reading https?:\/\/\S+: .*/.exec(error.message)?.[0] ?? error.message.split('\n').slice(-2).join(' ')).trim();
    fs.writeFileSync(marker, `${reason}\n`);
    return `dapr CLI ${want} could not be built (${reason}); using the built-in launcher`;
  } finally {
    fs.rmSync(gobin, { recursive: true, force: true });
  }
}

/** What `dapr init --slim` would have made, so a user's `dapr run -f dapr.yaml` finds it. */
async function daprHome() {
  fs.mkdirSync(path.join(DAPR_HOME, 'components'), { recursive: true });
  const config = path.join(DAPR_HOME, 'config.yaml');
  if (!fs.existsSync(config)) {
    fs.writeFileSync(config, 'apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: daprConfig\nspec: {}\n');
  }
  return `${DAPR_HOME} ready`;
}

export async function runSetup() {
  await step('Debian packages', aptInstall(versions.aptPackages));
  await step('Redis', startRedis);
  await step('MariaDB', startMariadb);
  await step('Dapr runtime', daprRuntime);
  await step('Dapr CLI', daprCli);
  await step('Dapr home', daprHome);
}
