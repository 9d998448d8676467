// Zipkin, the local trace store and viewer (README "Traces"; scripts/lib/tracing.mjs starts it):
// the exec jar of io.zipkin:zipkin-server from Maven Central, which carries its web UI (Lens),
// run by the machine's Java 17 with in-memory storage on the loopback. The set-up downloads it
// once into `~/.cache/staycar/zipkin/<version>/` (a progress line every 15 s), checked against the
// SHA-1 Maven publishes next to it and the one pinned in tools/versions.json; present, nothing to
// do. test/setup downloads it into a throwaway cache and runs one on another port.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from './paths.mjs';
import { isAlive } from './processes.mjs';

export class ZipkinError extends Error {}

const versions = () => JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'versions.json'), 'utf8'));
export const zipkinVersion = () => versions().zipkin;
const MAVEN = 'https://repo1.maven.org/maven2/io/zipkin/zipkin-server';
const jarName = (version) => `zipkin-server-${version}-exec.jar`;
const jarUrl = (version) => `${MAVEN}/${version}/${jarName(version)}`;

export const defaultCacheDir = () => path.join(process.env.STAYCAR_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'staycar'), 'zipkin');
/** Where the pinned jar lives under `cacheDir`. */
export const zipkinJar = (cacheDir = defaultCacheDir()) => path.join(cacheDir, zipkinVersion(), jarName(zipkinVersion()));

const int = (name, fallback) => Number(process.env[name] ?? fallback);
/** The machine's instance: port 9411 (Zipkin's own), in memory, a small heap. */
export function defaultZipkin() {
  return {
    port: int('ZIPKIN_PORT', 9411),
    // In memory, the oldest traces go first past this many spans (a reservation's trace is ≈ 60
    // spans); with -Xmx256m the heap holds them (README "Traces": measured RSS).
    maxSpans: int('ZIPKIN_MAX_SPANS', 100_000),
    heap: process.env.ZIPKIN_HEAP ?? '-Xms64m -Xmx256m',
  };
}
export const zipkinUrl = (instance = defaultZipkin()) => `http://127.0.0.1:${instance.port}`;

function sha1Of(file) {
  const hash = createHash('sha1');
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    let n;
    while ((n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0) hash.update(buffer.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Makes the pinned jar present in `cacheDir`: `present` (its SHA-1 is the pinned one) or
 * `downloaded` (from Maven Central, into a temporary file renamed once both checksums agree).
 */
export async function ensureZipkin({ cacheDir = defaultCacheDir(), progress = () => {}, everyMs = 15_000 } = {}) {
  const version = zipkinVersion();
  const pinned = versions().zipkinSha1;
  const jar = zipkinJar(cacheDir);
  if (fs.existsSync(jar) && sha1Of(jar) === pinned) return { action: 'present', jar, version };
  const published = await fetch(`${jarUrl(version)}.sha1`).then(async (res) => {
    if (!res.ok) throw new ZipkinError(`Maven Central answers ${res.status} for ${jarUrl(version)}.sha1`);
    return (await res.text()).trim().split(/\s+/)[0];
  });
  if (published !== pinned) throw new ZipkinError(`Maven Central's SHA-1 of ${jarName(version)} is ${published}, tools/versions.json pins ${pinned}`);
  fs.mkdirSync(path.dirname(jar), { recursive: true });
  const tmp = `${jar}.tmp-${process.pid}`;
  const res = await fetch(jarUrl(version));
  if (!res.ok || !res.body) throw new ZipkinError(`Maven Central answers ${res.status} for ${jarUrl(version)}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  const mb = (bytes) => `${Math.round(bytes / 1e6)} MB`;
  progress(`downloading zipkin-server ${version} from Maven Central (${mb(total)})`);
  let received = 0;
  const body = Readable.fromWeb(res.body);
  body.on('data', (chunk) => (received += chunk.length));
  const ticker = setInterval(() => progress(`downloading zipkin-server ${version}: ${mb(received)} of ${mb(total)}`), everyMs);
  try {
    await pipeline(body, fs.createWriteStream(tmp));
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw new ZipkinError(`download of ${jarUrl(version)} failed: ${error.message}`);
  } finally {
    clearInterval(ticker);
  }
  const got = sha1Of(tmp);
  if (got !== pinned) {
    fs.rmSync(tmp, { force: true });
    throw new ZipkinError(`the downloaded ${jarName(version)} has SHA-1 ${got}, expected ${pinned}`);
  }
  fs.renameSync(tmp, jar);
  return { action: 'downloaded', jar, version };
}

/**
 * `java -jar` with Zipkin's own settings: in-memory storage, bound to 127.0.0.1 only, no
 * collector but HTTP (an environment without RABBIT_* / KAFKA_* variables: Zipkin would start
 * those collectors from them), its own spans off.
 */
export function zipkinCommand(instance = defaultZipkin(), jar = zipkinJar()) {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(process.env.JAVA_HOME ? { JAVA_HOME: process.env.JAVA_HOME } : {}),
    STORAGE_TYPE: 'mem',
    MEM_MAX_SPANS: String(instance.maxSpans),
    QUERY_PORT: String(instance.port),
    SELF_TRACING_ENABLED: 'false',
  };
  // Spring takes a list from one source whole: the port's every field is given here, not only its ip.
  const port = ['ip=127.0.0.1', `port=${instance.port}`, 'protocols[0]=http'].map((field) => `--armeria.ports[0].${field}`);
  const args = [...instance.heap.split(/\s+/).filter(Boolean), '-XX:+UseSerialGC', '-jar', jar, ...port];
  return { command: 'java', args, env };
}

/** Whether Zipkin answers at `url` (its API's service list). */
export async function zipkinAnswers(url = zipkinUrl()) {
  try {
    const res = await fetch(`${url}/api/v2/services`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Starts Zipkin in the background (its output into `logFile`, its pid into `pidFile`) and resolves
 * once its API answers; `false` when one answers there already.
 */
export async function startZipkin({ instance = defaultZipkin(), jar = zipkinJar(), logFile, pidFile, timeoutMs = 60_000 }) {
  const url = zipkinUrl(instance);
  if (await zipkinAnswers(url)) return false;
  if (!fs.existsSync(jar)) throw new ZipkinError(`zipkin-server ${zipkinVersion()} is not downloaded (\`npm run setup\` does it)`);
  const { command, args, env } = zipkinCommand(instance, jar);
  const log = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log], env });
  child.unref();
  fs.closeSync(log);
  fs.writeFileSync(pidFile, JSON.stringify({ pid: child.pid, port: instance.port, startedAt: new Date().toISOString() }));
  const deadline = Date.now() + timeoutMs;
  while (!(await zipkinAnswers(url))) {
    if (!isAlive(child.pid)) throw new ZipkinError(`Zipkin exited while starting; see ${logFile}`);
    if (Date.now() > deadline) throw new ZipkinError(`Zipkin does not answer after ${timeoutMs / 1000} s; see ${logFile}`);
    await sleep(200);
  }
  return true;
}

export async function stopZipkin({ pidFile }) {
  let pid;
  try {
    ({ pid } = JSON.parse(fs.readFileSync(pidFile, 'utf8')));
  } catch {
    return false;
  }
  if (isAlive(pid)) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  fs.rmSync(pidFile, { force: true });
  return true;
}
