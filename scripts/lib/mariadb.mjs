// One MariaDB instance: start it (initialising an empty data directory), provision the service
// user, and prove the result by logging in as that user. Used by the set-up for the machine's
// instance and by test/setup for a throwaway one (own data directory, socket and port), so the
// from-nothing path is exercised on every test run.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { infra } from './infra.mjs';
import { isAlive } from './processes.mjs';

export class ProvisioningError extends Error {}

/** The instance the services use (Debian's data directory and socket; port and user from env). */
export function defaultMariadb() {
  return {
    ...infra.mysql,
    datadir: '/var/lib/mysql',
    socket: '/run/mysqld/mysqld.sock',
    pidFile: '/run/mysqld/mysqld.pid',
    logFile: '/var/log/mysql/staycar-mariadbd.log',
  };
}

const quiet = { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] };
const asText = (result) => `${result.stderr ?? ''}${result.stdout ?? ''}`.trim() || (result.error?.message ?? `exit ${result.status}`);

/**
 * Is a server listening on the instance's port? `mariadb-admin ping` exits 0 even when the server
 * answers "access denied" (its documented behaviour): it proves a server is up, never that a user
 * can log in — which is exactly what this asks.
 */
export function serverAnswers(instance) {
  const result = spawnSync('mariadb-admin', ['--protocol=tcp', '-h', '127.0.0.1', '-P', String(instance.port), '-u', 'staycar-probe', '--connect-timeout=2', 'ping'], {
    ...quiet,
    env: { ...process.env, MYSQL_PWD: 'x' },
  });
  return result.status === 0;
}

/**
 * Logs in over TCP as the service user (the password in the environment, never in argv) and uses
 * the database: `{ ok: true }` or `{ ok: false, error }` with the server's message.
 */
export function serviceUserWorks(instance) {
  const result = spawnSync(
    'mariadb',
    ['--protocol=tcp', '-h', '127.0.0.1', '-P', String(instance.port), '-u', instance.user, '--connect-timeout=3', instance.database, '-N', '-e', 'CREATE TEMPORARY TABLE staycar_probe (i INT); INSERT INTO staycar_probe VALUES (1); SELECT i FROM staycar_probe'],
    { ...quiet, env: { ...process.env, MYSQL_PWD: instance.password } },
  );
  return result.status === 0 && result.stdout.trim() === '1' ? { ok: true } : { ok: false, error: asText(result) };
}

/** Runs SQL as MariaDB's root over the instance's socket (Debian: root logs in by unix_socket). */
export function adminSql(instance, sql) {
  const result = spawnSync('mariadb', [`--socket=${instance.socket}`, '-u', 'root', '-N'], { ...quiet, input: sql });
  if (result.status !== 0) {
    throw new ProvisioningError(
      `cannot log in as MariaDB's root through ${instance.socket} (${asText(result)}); run the set-up as root, ` +
        `or create database ${instance.database} and user ${instance.user} yourself (docs: README "Troubleshooting")`,
    );
  }
  return result.stdout.trim();
}

const sqlString = (value) => `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const sqlName = (value) => `\`${String(value).replace(/`/g, '``')}\``;

/**
 * Makes the database, the user (both host forms a TCP login from loopback can match), its
 * password and its grants exist, whatever of them was there before; then proves it by logging in.
 */
export function provision(instance) {
  if (serviceUserWorks(instance).ok) return 'already provisioned';
  const user = (host) => `${sqlString(instance.user)}@${sqlString(host)}`;
  const statements = [
    `CREATE DATABASE IF NOT EXISTS ${sqlName(instance.database)}`,
    ...['localhost', '127.0.0.1'].flatMap((host) => [
      `CREATE USER IF NOT EXISTS ${user(host)} IDENTIFIED BY ${sqlString(instance.password)}`,
      `ALTER USER ${user(host)} IDENTIFIED BY ${sqlString(instance.password)}`,
      `GRANT ALL ON ${sqlName(instance.database)}.* TO ${user(host)}`,
    ]),
    'FLUSH PRIVILEGES',
  ];
  adminSql(instance, `${statements.join(';\n')};\n`);
  const check = serviceUserWorks(instance);
  if (!check.ok) {
    throw new ProvisioningError(`user ${instance.user} still cannot use database ${instance.database} after provisioning: ${check.error}`);
  }
  return 'provisioned';
}

/** An empty data directory gets MariaDB's system tables (what Debian's postinst does for its own). */
export function initialiseDatadir(instance) {
  if (fs.existsSync(path.join(instance.datadir, 'mysql'))) return false;
  fs.mkdirSync(instance.datadir, { recursive: true });
  spawnSync('chown', ['mysql:mysql', instance.datadir]);
  const result = spawnSync(
    'mariadb-install-db',
    ['--user=mysql', `--datadir=${instance.datadir}`, '--auth-root-authentication-method=socket', '--skip-test-db'],
    quiet,
  );
  if (result.status !== 0) throw new ProvisioningError(`mariadb-install-db failed for ${instance.datadir}: ${asText(result)}`);
  return true;
}

/** A pid file or socket left by a server that is gone (kill -9, a reboot without /run cleanup). */
function removeStaleRunFiles(instance) {
  const pid = Number.parseInt(fs.existsSync(instance.pidFile) ? fs.readFileSync(instance.pidFile, 'utf8') : '', 10);
  if (!(Number.isInteger(pid) && isAlive(pid))) {
    fs.rmSync(instance.pidFile, { force: true });
    fs.rmSync(instance.socket, { force: true });
  }
}

/** Starts the instance unless a server answers on its port; waits until it does. */
export async function startServer(instance, { timeoutMs = 30_000 } = {}) {
  if (serverAnswers(instance)) return false;
  if (process.getuid?.() !== 0) throw new ProvisioningError(`MariaDB is not running on :${instance.port}; start it (sudo service mariadb start) and re-run`);
  const runDir = path.dirname(instance.socket);
  fs.mkdirSync(runDir, { recursive: true });
  spawnSync('chown', ['mysql:mysql', runDir]);
  removeStaleRunFiles(instance);
  initialiseDatadir(instance);
  fs.mkdirSync(path.dirname(instance.logFile), { recursive: true });
  const log = fs.openSync(instance.logFile, 'a');
  const server = spawn(
    '/usr/sbin/mariadbd',
    [
      '--no-defaults',
      '--user=mysql',
      `--datadir=${instance.datadir}`,
      `--socket=${instance.socket}`,
      `--pid-file=${instance.pidFile}`,
      `--port=${instance.port}`,
      '--bind-address=127.0.0.1',
      '--innodb-flush-log-at-trx-commit=2',
      '--max-connections=500',
      // Interleaved auto-increment: with the default (1), concurrent upserts into Dapr's state table
      // fail with error 1467 "Failed to read auto-increment value" (seen with 50 racing guests).
      '--innodb-autoinc-lock-mode=2',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_general_ci',
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  server.unref();
  fs.closeSync(log);
  let exited;
  server.once('exit', (code) => (exited = code));
  const deadline = Date.now() + timeoutMs;
  while (!serverAnswers(instance)) {
    if (exited !== undefined) throw new ProvisioningError(`mariadbd exited (code ${exited}) while starting on :${instance.port}; see ${instance.logFile}`);
    if (Date.now() > deadline) throw new ProvisioningError(`MariaDB did not answer on :${instance.port} after ${timeoutMs / 1000} s; see ${instance.logFile}`);
    await sleep(200);
  }
  return true;
}

/** Start (if needed), provision, prove: the whole MariaDB step of the set-up. */
export async function ensureMariadb(instance = defaultMariadb()) {
  const started = await startServer(instance);
  const provisioned = provision(instance);
  return `MariaDB ${started ? 'started' : 'answers'} on :${instance.port}; user ${instance.user} logs in and uses database ${instance.database} (${provisioned})`;
}

/** Stops the instance cleanly (root's socket login), waiting until its port is closed. */
export async function stopServer(instance = defaultMariadb(), { timeoutMs = 30_000 } = {}) {
  if (!serverAnswers(instance)) return false;
  const result = spawnSync('mariadb-admin', [`--socket=${instance.socket}`, '-u', 'root', 'shutdown'], quiet);
  if (result.status !== 0) throw new ProvisioningError(`MariaDB on :${instance.port} refused to shut down: ${asText(result)}`);
  const deadline = Date.now() + timeoutMs;
  while (serverAnswers(instance)) {
    if (Date.now() > deadline) throw new ProvisioningError(`MariaDB on :${instance.port} did not stop`);
    await sleep(100);
  }
  return true;
}
