// One RabbitMQ node for the postgres-rabbitmq profile, run from the Debian package's binaries with
// everything of its own under the checkout's .data/rabbitmq (Mnesia database, logs, enabled
// plugins, pid file): node staycar@localhost on 127.0.0.1:5672 (RABBITMQ_PORT), Erlang
// distribution on RABBITMQ_DIST_PORT (25672). The set-up starts it, makes the service user
// (`staycar`, all permissions on vhost /) and proves the login with `rabbitmqctl authenticate_user`.
// Used by the set-up, `npm run svc:* -- rabbitmq` (drills) and test/setup (a throwaway node).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dataDir } from './paths.mjs';

export class RabbitmqError extends Error {}

const int = (name, fallback) => Number(process.env[name] ?? fallback);
const SBIN = '/usr/lib/rabbitmq/bin';

export function defaultRabbitmq() {
  return {
    node: process.env.RABBITMQ_NODE ?? 'staycar@localhost',
    port: int('RABBITMQ_PORT', 5672),
    distPort: int('RABBITMQ_DIST_PORT', 25672),
    user: process.env.RABBITMQ_USER ?? 'staycar',
    password: process.env.RABBITMQ_PASSWORD ?? 'staycar',
    dir: dataDir('rabbitmq'),
  };
}

const quiet = { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 };
const asText = (r) => `${r.stderr ?? ''}${r.stdout ?? ''}`.trim() || (r.error?.message ?? `exit ${r.status}`);

/** The node's environment: all its files under `dir`, loopback only, no Debian-wide config. */
function nodeEnv(instance) {
  const { dir } = instance;
  return {
    ...process.env,
    RABBITMQ_NODENAME: instance.node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(instance.port),
    RABBITMQ_DIST_PORT: String(instance.distPort),
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_PID_FILE: path.join(dir, 'rabbitmq.pid'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq'),
    RABBITMQ_ADVANCED_CONFIG_FILE: path.join(dir, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: path.join(dir, 'rabbitmq-env.conf'),
    // Erlang's schedulers spin while idle by default; on a shared 2-core machine they must not.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '+sbwt none +sbwtdcpu none +sbwtdio none',
  };
}

function ctl(instance, ...args) {
  if (!fs.existsSync(path.join(SBIN, 'rabbitmqctl'))) throw new RabbitmqError('RabbitMQ is not installed (/usr/lib/rabbitmq/bin/rabbitmqctl): install the Debian package rabbitmq-server');
  return spawnSync(path.join(SBIN, 'rabbitmqctl'), ['-q', '-n', instance.node, ...args], { ...quiet, env: nodeEnv(instance) });
}

/** Something accepts TCP connections on the AMQP port. */
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

/** The node runs and the service user logs in with its password (what the sidecars do). */
export function serviceUserWorks(instance) {
  const result = ctl(instance, 'authenticate_user', instance.user, instance.password);
  return result.status === 0 ? { ok: true } : { ok: false, error: asText(result) };
}

const nodeRunning = (instance) => ctl(instance, 'status').status === 0;

/** Starts the node unless it runs; waits until its applications (and the AMQP listener) are up. */
export async function startNode(instance, { timeoutMs = 90_000 } = {}) {
  if (nodeRunning(instance)) return false;
  if (await portOpen(instance.port)) throw new RabbitmqError(`something else listens on :${instance.port}; set RABBITMQ_PORT`);
  for (const sub of ['mnesia', 'log']) fs.mkdirSync(path.join(instance.dir, sub), { recursive: true });
  const plugins = path.join(instance.dir, 'enabled_plugins');
  if (!fs.existsSync(plugins)) fs.writeFileSync(plugins, '[].\n');
  const conf = path.join(instance.dir, 'rabbitmq.conf');
  // Loopback only; the default guest user stays loopback-only too. A low disk alarm would block
  // every publisher: 1 GB free is the threshold that makes sense on a developer's machine.
  if (!fs.existsSync(conf)) fs.writeFileSync(conf, `listeners.tcp.default = 127.0.0.1:${instance.port}\ndisk_free_limit.absolute = 1GB\n`);
  const log = fs.openSync(path.join(instance.dir, 'log', 'server.out'), 'a');
  const server = spawn(path.join(SBIN, 'rabbitmq-server'), [], { env: nodeEnv(instance), detached: true, stdio: ['ignore', log, log] });
  server.unref();
  fs.closeSync(log);
  let exited;
  server.once('exit', (code) => (exited = code));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (ctl(instance, 'await_startup', '--timeout', '5').status === 0 && (await portOpen(instance.port))) return true;
    if (exited !== undefined) throw new RabbitmqError(`rabbitmq-server exited (code ${exited}) while starting; see ${path.join(instance.dir, 'log')}`);
    if (Date.now() > deadline) throw new RabbitmqError(`RabbitMQ did not start on :${instance.port} within ${timeoutMs / 1000} s; see ${path.join(instance.dir, 'log')}`);
    await sleep(500);
  }
}

/** The service user with its password and every permission on vhost /, whatever was there. */
export function provision(instance) {
  if (serviceUserWorks(instance).ok) return 'already provisioned';
  const exists = ctl(instance, 'list_users').stdout?.split('\n').some((line) => line.split(/\s+/)[0] === instance.user);
  const steps = [
    exists ? ['change_password', instance.user, instance.password] : ['add_user', instance.user, instance.password],
    ['set_permissions', '-p', '/', instance.user, '.*', '.*', '.*'],
  ];
  for (const args of steps) {
    const result = ctl(instance, ...args);
    if (result.status !== 0) throw new RabbitmqError(`rabbitmqctl ${args[0]} failed: ${asText(result)}`);
  }
  const check = serviceUserWorks(instance);
  if (!check.ok) throw new RabbitmqError(`user ${instance.user} still cannot log in after provisioning: ${check.error}`);
  return 'provisioned';
}

export async function ensureRabbitmq(instance = defaultRabbitmq()) {
  const started = await startNode(instance);
  const provisioned = provision(instance);
  return `RabbitMQ ${started ? 'started' : 'answers'} on :${instance.port} (node ${instance.node}, data in ${instance.dir}); user ${instance.user} logs in (${provisioned})`;
}

/** Stops the node cleanly (durable queues and persistent messages are on disk). */
export async function stopRabbitmq(instance = defaultRabbitmq()) {
  if (!nodeRunning(instance)) return `RabbitMQ was not running (node ${instance.node})`;
  const result = ctl(instance, 'shutdown', '--timeout', '60');
  if (result.status !== 0 && nodeRunning(instance)) throw new RabbitmqError(`RabbitMQ did not stop: ${asText(result)}`);
  for (let i = 0; i < 100 && (await portOpen(instance.port)); i++) await sleep(100);
  return `RabbitMQ stopped (node ${instance.node}, data in ${instance.dir})`;
}

export async function checkRabbitmq(instance = defaultRabbitmq()) {
  const r = serviceUserWorks(instance);
  return { ok: r.ok && (await portOpen(instance.port)), detail: r.ok ? `:${instance.port} node ${instance.node} runs; user ${instance.user} logs in` : `:${instance.port} no: ${r.error}` };
}
