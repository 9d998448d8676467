// Kafka for the kafka profile: one node in KRaft mode (broker and controller in one process, no
// ZooKeeper), from the org.apache.kafka:kafka_2.13 jars on Maven Central and their dependencies
// (fetched by Maven into a cache, ~/.cache/staycar/kafka/<version>/libs), run by the machine's
// Java 17 with its data in the checkout's .data/kafka. The set-up installs (once) and starts it;
// `npm run svc:* -- kafka` stops and starts it for drills; test/setup installs it into an empty
// directory from an empty Maven repository and starts a throwaway node on other ports.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from './processes.mjs';
import { ROOT, dataDir } from './paths.mjs';

export class KafkaError extends Error {}

const versions = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'versions.json'), 'utf8'));
const int = (name, fallback) => Number(process.env[name] ?? fallback);
const cacheRoot = () => path.join(process.env.STAYCAR_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'staycar'), 'kafka');

/**
 * The machine's node. Ports 19092 (clients) and 19093 (controller): Kafka's usual 9092 is
 * rentcar's sidecar metrics port here (dapr.yaml).
 */
export function defaultKafka() {
  return {
    version: versions.kafka,
    port: int('KAFKA_PORT', 19092),
    controllerPort: int('KAFKA_CONTROLLER_PORT', 19093),
    dir: dataDir('kafka'),
    libs: path.join(cacheRoot(), versions.kafka, 'libs'),
    // Partitions of a topic made on first use: Dapr's Kafka consumer handles one message at a
    // time per partition, so they are a consumer group's parallelism (the outbox's internal
    // topics wait 100 ms per message).
    partitions: int('KAFKA_PARTITIONS', 16),
    heapMb: int('KAFKA_HEAP_MB', 512),
  };
}

const asText = (r) => `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n').slice(-15).join('\n') || (r.error?.message ?? `exit ${r.status}`);

/** The jars, with a stamp saying which version and which artifacts they are. */
function installed(instance) {
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(instance.libs, '..', 'installed.json'), 'utf8'));
    return stamp.version === instance.version && fs.readdirSync(instance.libs).some((f) => f.startsWith(`kafka_2.13-${instance.version}`));
  } catch {
    return false;
  }
}

/**
 * Maven resolves kafka_2.13 (the broker, KRaft included), kafka-tools (storage format) and a
 * log4j2 binding with all their runtime dependencies, and copies the jars into `libs`.
 * `mavenRepo`: Maven's local repository (default ~/.m2/repository; the from-nothing test passes
 * an empty one, so everything really comes from Maven Central).
 */
export function installKafka(instance = defaultKafka(), { mavenRepo, progress = () => {} } = {}) {
  if (installed(instance)) return 'present';
  if (spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status !== 0) throw new KafkaError('Maven (mvn) is missing: install the Debian package maven');
  const home = path.dirname(instance.libs);
  fs.mkdirSync(home, { recursive: true });
  const log4j = versions.kafkaLog4j;
  const dep = (g, a, v) => `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  fs.writeFileSync(
    path.join(home, 'pom.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>
<!-- Made by scripts/lib/kafka.mjs: only to let Maven fetch Kafka ${instance.version} and its dependencies. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>staycar</groupId><artifactId>kafka-runtime</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    ${dep('org.apache.kafka', 'kafka_2.13', instance.version)}
    ${dep('org.apache.kafka', 'kafka-tools', instance.version)}
    ${dep('org.apache.logging.log4j', 'log4j-slf4j2-impl', log4j)}
    ${dep('org.apache.logging.log4j', 'log4j-core', log4j)}
  </dependencies>
</project>
`,
  );
  const staging = `${instance.libs}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  progress(`Maven: kafka_2.13 ${instance.version} and its dependencies`);
  const args = ['-B', '-q', '-f', path.join(home, 'pom.xml'), 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies', `-DoutputDirectory=${staging}`, '-DincludeScope=runtime'];
  if (mavenRepo) args.push(`-Dmaven.repo.local=${mavenRepo}`);
  const result = spawnSync('mvn', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
  if (result.status !== 0) throw new KafkaError(`mvn copy-dependencies failed: ${asText(result)}`);
  fs.rmSync(instance.libs, { recursive: true, force: true });
  fs.renameSync(staging, instance.libs);
  const jars = fs.readdirSync(instance.libs).filter((f) => f.endsWith('.jar'));
  fs.writeFileSync(path.join(home, 'installed.json'), `${JSON.stringify({ version: instance.version, jars: jars.length, at: new Date().toISOString() }, null, 2)}\n`);
  return `installed (${jars.length} jars)`;
}

const java = (instance, mainClass, args, options = {}) =>
  spawnSync('java', ['-cp', `${instance.libs}/*`, `-Dlog4j2.configurationFile=${path.join(instance.dir, 'log4j2.properties')}`, mainClass, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
    ...options,
  });

function writeConfig(instance) {
  const data = path.join(instance.dir, 'data');
  const logs = path.join(instance.dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  fs.writeFileSync(
    path.join(instance.dir, 'server.properties'),
    [
      '# Made by scripts/lib/kafka.mjs: one KRaft node, broker and controller in one process, loopback only.',
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${instance.controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${instance.port},CONTROLLER://127.0.0.1:${instance.controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${instance.port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${data}`,
      `num.partitions=${instance.partitions}`,
      'auto.create.topics.enable=true',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=10',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      // A week of events is plenty locally; the view's rebuild reads the stream from the start.
      'log.retention.hours=168',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(instance.dir, 'log4j2.properties'),
    [
      'status = warn',
      'appender.file.type = File',
      'appender.file.name = file',
      `appender.file.fileName = ${path.join(logs, 'server.log')}`,
      'appender.file.layout.type = PatternLayout',
      'appender.file.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.file.ref = file',
      'logger.kafka.name = kafka',
      'logger.kafka.level = WARN',
      'logger.org.name = org.apache.kafka',
      'logger.org.level = WARN',
      '',
    ].join('\n'),
  );
}

/** An empty data directory is formatted once (a cluster id of its own). */
function formatStorage(instance) {
  const data = path.join(instance.dir, 'data');
  if (fs.existsSync(path.join(data, 'meta.properties'))) return false;
  const clusterId = crypto.randomBytes(16).toString('base64url').slice(0, 22);
  const result = java(instance, 'kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', path.join(instance.dir, 'server.properties')]);
  if (result.status !== 0) throw new KafkaError(`formatting ${data} failed: ${asText(result)}`);
  return true;
}

export function portOpen(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const pidFile = (instance) => path.join(instance.dir, 'kafka.pid');
const runningPid = (instance) => {
  const pid = Number.parseInt(fs.existsSync(pidFile(instance)) ? fs.readFileSync(pidFile(instance), 'utf8') : '', 10);
  return Number.isInteger(pid) && isAlive(pid) ? pid : undefined;
};

/**
 * Asks the broker for its API versions (kafka-tools' BrokerApiVersionsCommand): answers only once
 * the node serves clients, not merely listens.
 */
export function brokerAnswers(instance) {
  const result = java(instance, 'org.apache.kafka.tools.BrokerApiVersionsCommand', ['--bootstrap-server', `127.0.0.1:${instance.port}`], { timeout: 30_000 });
  return result.status === 0 && result.stdout.includes(`127.0.0.1:${instance.port}`) ? { ok: true } : { ok: false, error: asText(result) };
}

export async function startKafka(instance = defaultKafka(), { timeoutMs = 90_000 } = {}) {
  if (runningPid(instance) && (await portOpen(instance.port))) return false;
  if (await portOpen(instance.port)) throw new KafkaError(`something else listens on :${instance.port}; set KAFKA_PORT`);
  writeConfig(instance);
  formatStorage(instance);
  const out = fs.openSync(path.join(instance.dir, 'logs', 'server.out'), 'a');
  const server = spawn(
    'java',
    [`-Xms${Math.min(256, instance.heapMb)}m`, `-Xmx${instance.heapMb}m`, '-XX:+UseG1GC', '-XX:ActiveProcessorCount=2', '-cp', `${instance.libs}/*`, `-Dlog4j2.configurationFile=${path.join(instance.dir, 'log4j2.properties')}`, 'kafka.Kafka', path.join(instance.dir, 'server.properties')],
    { detached: true, stdio: ['ignore', out, out] },
  );
  server.unref();
  fs.closeSync(out);
  fs.writeFileSync(pidFile(instance), String(server.pid));
  let exited;
  server.once('exit', (code) => (exited = code));
  const deadline = Date.now() + timeoutMs;
  while (!(await portOpen(instance.port))) {
    if (exited !== undefined) throw new KafkaError(`Kafka exited (code ${exited}) while starting; see ${path.join(instance.dir, 'logs')}`);
    if (Date.now() > deadline) throw new KafkaError(`Kafka did not listen on :${instance.port} within ${timeoutMs / 1000} s; see ${path.join(instance.dir, 'logs')}`);
    await sleep(250);
  }
  return true;
}

export async function ensureKafka(instance = defaultKafka(), options = {}) {
  const install = installKafka(instance, options);
  const started = await startKafka(instance);
  const check = brokerAnswers(instance);
  if (!check.ok) throw new KafkaError(`Kafka on :${instance.port} does not answer a client: ${check.error}`);
  return `Kafka ${instance.version} (KRaft) ${started ? 'started' : 'answers'} on :${instance.port} (jars ${install} in ${instance.libs}; data in ${path.join(instance.dir, 'data')})`;
}

/** Stops the node (SIGTERM: a controlled shutdown that flushes the logs), waits until it is gone. */
export async function stopKafka(instance = defaultKafka(), { timeoutMs = 60_000 } = {}) {
  const pid = runningPid(instance);
  if (!pid) return `Kafka was not running (${pidFile(instance)})`;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new KafkaError(`Kafka (pid ${pid}) did not stop within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
  fs.rmSync(pidFile(instance), { force: true });
  return `Kafka stopped (data in ${path.join(instance.dir, 'data')})`;
}

export async function checkKafka(instance = defaultKafka()) {
  if (!installed(instance)) return { ok: false, detail: `not installed (${instance.libs})` };
  const r = brokerAnswers(instance);
  return { ok: r.ok, detail: r.ok ? `:${instance.port} Kafka ${instance.version} (KRaft) answers a client` : `:${instance.port} no: ${r.error.split('\n').at(-1)}` };
}
