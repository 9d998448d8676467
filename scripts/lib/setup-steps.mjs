// The set-up's steps after node dependencies. Each step checks first, acts only when needed, and
// proves its result the way the services will use it (log in as the service user, PING with the
// password, run the daprd it put in place).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ora from 'ora';
import { ensureDaprBinary, ensureDaprd } from './daprd-build.mjs';
import { DAPR_BIN, DAPR_HOME, ROOT, dataDir } from './paths.mjs';
import { loadProfile } from './profiles.mjs';
import { storeOf } from './stores.mjs';
import { ensureSecrets } from './secrets.mjs';
import { ensureZipkin } from './zipkin.mjs';
import { prometheusVersion, stopPackagedService } from './prometheus.mjs';

const versions = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'versions.json'), 'utf8'));

class SetupError extends Error {}

/**
 * One step: a spinner on a terminal; elsewhere (CI, a log) plain lines. `progress` shows a long
 * step's news: the spinner's text on a terminal, a line of its own otherwise. A step answers its
 * outcome (✔), or `{ info }` for something to know that is not a success (ℹ).
 */
async function step(label, fn) {
  const t0 = Date.now();
  const tty = Boolean(process.stdout.isTTY);
  const spinner = ora({ text: label, stream: process.stdout, isEnabled: tty }).start();
  const progress = (text) => {
    if (tty) spinner.text = `${label}: ${text}`;
    else console.log(`  … ${label}: ${text}`);
  };
  try {
    const outcome = await fn(progress);
    const took = `(${((Date.now() - t0) / 1000).toFixed(1)} s)`;
    if (outcome && typeof outcome === 'object' && 'info' in outcome) spinner.info(`${outcome.info} ${took}`);
    else spinner.succeed(`${outcome ?? label} ${took}`);
  } catch (error) {
    spinner.fail(`${label}: ${error.message}`);
    throw error;
  }
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

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

export function aptInstall(packages) {
  return async (progress) => {
    const missing = packages.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
    if (missing.length === 0) return `Debian packages present (${packages.join(', ')})`;
    if (process.getuid?.() !== 0) {
      throw new SetupError(`missing ${missing.join(', ')}; run as root or install them: sudo apt-get install -y ${missing.join(' ')}`);
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    progress('apt-get update');
    await run('apt-get', ['update', '-qq'], { env });
    progress(`apt-get install ${missing.join(' ')} (a minute or two)`);
    await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
    return `installed ${missing.join(', ')}`;
  };
}

async function daprRuntime(progress) {
  const { action, version } = await ensureDaprd({ progress });
  switch (action) {
    case 'present':
      return `daprd ${version} present in ${DAPR_BIN.dir}`;
    case 'reused':
      return `daprd ${version} put into ${DAPR_BIN.dir} from the build cache`;
    case 'built':
      return `daprd ${version} built from source into ${DAPR_BIN.dir}`;
    default:
      return { info: `daprd ${version} in ${DAPR_BIN.dir} was not built here: it lacks tools/daprd/patches (install Go ≥ ${versions.goMin} to build it)` };
  }
}

/** Dapr Sentry, the local certificate authority of the sidecars' mTLS (same module as daprd). */
async function daprSentry(progress) {
  const { action, version } = await ensureDaprBinary({ name: 'sentry', progress });
  const how = { present: 'present in', reused: 'put from the build cache into', built: 'built from source into', foreign: 'present (not built here) in' }[action];
  return `sentry ${version} ${how} ${DAPR_BIN.dir}`;
}

/** Zipkin, the local trace store and viewer (README "Traces"): its server jar from Maven Central. */
async function zipkinStep(progress) {
  const { action, version, jar } = await ensureZipkin({ progress });
  return `zipkin ${version} ${action === 'downloaded' ? 'downloaded into' : 'present in'} ${path.dirname(jar)}`;
}

/**
 * The Dapr CLI is optional: `npm start` reads dapr.yaml with its own launcher. The Go module proxy
 * reachable here refuses the CLI's source, so it is tried once per version and the refusal
 * remembered; after that the set-up says so in one plain line.
 */
async function daprCli(progress) {
  const want = versions.daprCli;
  const cli = path.join(DAPR_BIN.dir, 'dapr');
  const current = fs.existsSync(cli) ? spawnSync(cli, ['version'], { encoding: 'utf8' }).stdout ?? '' : '';
  if (current.includes(`CLI version: ${want}`)) return `dapr CLI ${want} present`;
  const notHere = (why) => ({ info: `dapr CLI ${want} is not installed (${why}); not needed: \`npm start\` runs dapr.yaml with its own launcher (docs/decisions/001)` });
  const marker = path.join(dataDir('setup'), `dapr-cli-${want}.unavailable`);
  if (fs.existsSync(marker)) return notHere(fs.readFileSync(marker, 'utf8').split('\n')[0]);
  if (!has('go')) return notHere('no Go to build it');
  progress(`trying to build dapr CLI ${want}`);
  const gobin = fs.mkdtempSync(path.join(os.tmpdir(), 'dapr-cli-'));
  try {
    await run('go', ['install', '-trimpath', '-ldflags', `-s -w -X main.version=${want} -X main.apiVersion=1.0`, `github.com/dapr/cli@v${want}`], {
      env: { ...process.env, CGO_ENABLED: '0', GOBIN: gobin },
    });
    fs.renameSync(path.join(gobin, 'cli'), cli);
    return `dapr CLI ${want} built into ${DAPR_BIN.dir}`;
  } catch (error) {
    const refused = /reading https?:\/\/\S+: (\d{3} [\w ]+)/.exec(error.message);
    const reason = refused ? `the Go module proxy refuses its source: ${refused[1]}` : error.message.split('\n').slice(-2).join(' ').trim();
    fs.writeFileSync(marker, `${reason}\n`);
    return notHere(reason);
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

/**
 * Prometheus from Debian's package, for `npm run prometheus` (docs/observability.md): installed
 * when missing, its own service kept off (it would take :9090), proved by running it.
 */
export async function prometheusStep(progress) {
  const installed = await aptInstall(['prometheus'])(progress);
  if (installed.startsWith('installed')) stopPackagedService();
  return `${installed.startsWith('installed') ? 'installed' : 'present'}: ${prometheusVersion()}`;
}

/**
 * Only what the profile (STAYCAR_PROFILE, components/<name>.profile.json) needs: the base Debian
 * packages plus its stores' packages, then each of its stores started, provisioned and proved.
 */
export async function runSetup(profile = loadProfile()) {
  console.log(`profile ${profile.name}: ${profile.description}`);
  const packages = [...new Set([...versions.aptPackages, ...profile.stores.flatMap((name) => storeOf(name).apt)])];
  await step('Debian packages', aptInstall(packages));
  for (const name of profile.stores) await step(storeOf(name).label, () => storeOf(name).ensure());
  await step('Dapr runtime', daprRuntime);
  await step('Dapr Sentry', daprSentry);
  await step('Dapr CLI', daprCli);
  await step('Zipkin', zipkinStep);
  await step('Dapr home', daprHome);
  await step('Prometheus', prometheusStep);
  await step('Secrets', () => ensureSecrets());
}
