// One PostgreSQL instance for the postgres-rabbitmq profile: initialise an empty data directory
// (initdb), start it on loopback, provision the service user and database, and prove the result by
// logging in as that user over TCP. The server runs as the `postgres` system user (it refuses
// root), with its data in the checkout's .data/postgres. Used by the set-up, by
// `npm run svc:* -- postgres` for drills, and by test/setup for a throwaway instance.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { dataDir } from './paths.mjs';

export class PostgresError extends Error {}

const int = (name, fallback) => Number(process.env[name] ?? fallback);

/** The instance the components use (components/postgres-rabbitmq): port and user from env. */
export function defaultPostgres() {
  return {
    port: int('PG_PORT', 5432),
    database: process.env.PG_DATABASE ?? 'staycar',
    user: process.env.PG_USER ?? 'staycar',
    password: process.env.PG_PASSWORD ?? 'staycar',
    // viewpage's read model (profiles whose "viewDb" is "postgres"): its own database and a user
    // that owns it and nothing else (postgresViewDbUrl below: the VIEW_DB_URL the launcher gives it).
    view: {
      database: process.env.PG_VIEW_DATABASE ?? 'staycar_view',
      user: process.env.PG_VIEW_USER ?? 'staycar_view',
      password: process.env.PG_VIEW_PASSWORD ?? 'staycar',
    },
    datadir: path.join(dataDir('postgres'), 'data'),
    socketDir: dataDir('postgres'),
    logFile: path.join(dataDir('logs'), 'postgres.log'),
  };
}

const quiet = { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 };
const asText = (r) => `${r.stderr ?? ''}${r.stdout ?? ''}`.trim() || (r.error?.message ?? `exit ${r.status}`);

/** The newest PostgreSQL server binaries Debian installed (/usr/lib/postgresql/<major>/bin). */
export function binDir() {
  const base = '/usr/lib/postgresql';
  const majors = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb'))) : [];
  if (majors.length === 0) throw new PostgresError('PostgreSQL server binaries are missing (/usr/lib/postgresql/*/bin/initdb): install the Debian package postgresql');
  return path.join(base, majors.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** Runs a server binary as the postgres user (the server refuses root). */
function asPostgres(binary, args, options = {}) {
  const command = path.join(binDir(), binary);
  if (process.getuid?.() === 0) return spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { ...quiet, ...options });
  return spawnSync(command, args, { ...quiet, ...options });
}

/** viewpage's VIEW_DB_URL for the instance's view database (postgres://, the password URL-encoded). */
export function postgresViewDbUrl(instance = defaultPostgres()) {
  const { user, password, database } = instance.view;
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${instance.port}/${encodeURIComponent(database)}`;
}

/** psql over TCP as the service user (or `login`: the view's): `{ ok }` or `{ ok: false, error }`. */
export function serviceUserWorks(instance, login = instance) {
  const result = spawnSync(
    'psql',
    ['-h', '127.0.0.1', '-p', String(instance.port), '-U', login.user, '-d', login.database, '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', 'CREATE TEMPORARY TABLE staycar_probe (i int); INSERT INTO staycar_probe VALUES (1); SELECT i FROM staycar_probe'],
    { ...quiet, env: { ...process.env, PGPASSWORD: login.password, PGCONNECT_TIMEOUT: '3' } },
  );
  return result.status === 0 && result.stdout.trim().split('\n').at(-1) === '1' ? { ok: true } : { ok: false, error: asText(result) };
}

/** Something answers on the instance's port (whoever may log in). */
export function serverAnswers(instance) {
  const result = spawnSync(path.join(binDir(), 'pg_isready'), ['-h', '127.0.0.1', '-p', String(instance.port), '-t', '2'], quiet);
  return result.status === 0;
}

/**
 * The socket directory of the server listening on the instance's port: the instance's own, or —
 * when a server started from another checkout answers there (one PostgreSQL per machine) — the
 * `-k` directory of that running postmaster, read from /proc.
 */
function socketDirOf(instance) {
  if (fs.existsSync(path.join(instance.socketDir, `.s.PGSQL.${instance.port}`))) return instance.socketDir;
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let argv;
    try {
      argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!argv[0]?.endsWith('/postgres') || argv[argv.indexOf('-p') + 1] !== String(instance.port)) continue;
    const dir = argv[argv.indexOf('-k') + 1];
    if (argv.includes('-k') && dir && fs.existsSync(path.join(dir, `.s.PGSQL.${instance.port}`))) return dir;
  }
  return instance.socketDir;
}

/** SQL as the superuser over the server's socket (peer login as postgres). */
function adminSql(instance, sql, database = 'postgres') {
  const socketDir = socketDirOf(instance);
  const result = asPostgres('psql', ['-h', socketDir, '-p', String(instance.port), '-d', database, '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1'], { input: sql });
  if (result.status !== 0) throw new PostgresError(`psql as postgres through ${socketDir} failed: ${asText(result)}`);
  return result.stdout.trim();
}

const literal = (v) => `'${String(v).replace(/'/g, "''")}'`;
const ident = (v) => `"${String(v).replace(/"/g, '""')}"`;

/** An empty data directory gets a cluster: superuser postgres (peer on the socket), scram over TCP. */
export function initialiseDatadir(instance) {
  if (fs.existsSync(path.join(instance.datadir, 'PG_VERSION'))) return false;
  fs.mkdirSync(instance.datadir, { recursive: true });
  if (process.getuid?.() === 0) spawnSync('chown', ['-R', 'postgres:postgres', instance.socketDir, instance.datadir]);
  fs.chmodSync(instance.datadir, 0o700);
  const result = asPostgres('initdb', ['-D', instance.datadir, '-U', 'postgres', '--auth-local=peer', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8']);
  if (result.status !== 0) throw new PostgresError(`initdb failed for ${instance.datadir}: ${asText(result)}`);
  return true;
}

/** Starts the instance unless something answers on its port; waits until it accepts connections. */
export function startServer(instance) {
  if (serverAnswers(instance)) return false;
  initialiseDatadir(instance);
  fs.mkdirSync(path.dirname(instance.logFile), { recursive: true });
  if (process.getuid?.() === 0) {
    fs.closeSync(fs.openSync(instance.logFile, 'a'));
    spawnSync('chown', ['postgres:postgres', instance.logFile, instance.socketDir]);
  }
  const options = [
    `-p ${instance.port}`,
    `-k ${instance.socketDir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=300',
    // Local run on a busy 2-core machine, as MariaDB's innodb_flush_log_at_trx_commit=2: a crash of
    // the server loses nothing, a crash of the machine may lose the last moments. Production: on.
    '-c synchronous_commit=off',
  ].join(' ');
  const result = asPostgres('pg_ctl', ['-D', instance.datadir, '-l', instance.logFile, '-o', options, '-w', '-t', '60', 'start'], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0 || !serverAnswers(instance)) throw new PostgresError(`PostgreSQL did not start on :${instance.port}: ${asText(result)}; see ${instance.logFile}`);
  return true;
}

/** Makes the role (with its password) and its database exist, whatever was there; proves it. */
export function provision(instance) {
  const logins = [instance, ...(instance.view ? [instance.view] : [])];
  if (logins.every((login) => serviceUserWorks(instance, login).ok)) return 'already provisioned';
  for (const login of logins) provisionLogin(instance, login);
  return 'provisioned';
}

/** One role with its password, owning its own database (the public schema its own too); proven by logging in. */
function provisionLogin(instance, login) {
  adminSql(
    instance,
    `DO $$ BEGIN
       IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(login.user)}) THEN CREATE ROLE ${ident(login.user)} LOGIN; END IF;
     END $$;
     ALTER ROLE ${ident(login.user)} LOGIN PASSWORD ${literal(login.password)};\n`,
  );
  const exists = adminSql(instance, `SELECT 1 FROM pg_database WHERE datname = ${literal(login.database)};\n`);
  if (exists !== '1') adminSql(instance, `CREATE DATABASE ${ident(login.database)} OWNER ${ident(login.user)};\n`);
  adminSql(instance, `ALTER DATABASE ${ident(login.database)} OWNER TO ${ident(login.user)}; GRANT ALL ON SCHEMA public TO ${ident(login.user)};\n`, login.database);
  const check = serviceUserWorks(instance, login);
  if (!check.ok) throw new PostgresError(`user ${login.user} still cannot use database ${login.database} after provisioning: ${check.error}`);
}

/** Start (if needed), provision, prove: the PostgreSQL step of the set-up. */
export async function ensurePostgres(instance = defaultPostgres()) {
  const started = startServer(instance);
  const provisioned = provision(instance);
  const view = instance.view ? `; view user ${instance.view.user} logs in and uses database ${instance.view.database}` : '';
  return `PostgreSQL ${started ? 'started' : 'answers'} on :${instance.port} (data in ${instance.datadir}); user ${instance.user} logs in and uses database ${instance.database}${view} (${provisioned})`;
}

/** Stops the instance (fast shutdown: clients disconnected, everything committed kept). */
export async function stopPostgres(instance = defaultPostgres()) {
  if (!serverAnswers(instance)) return `PostgreSQL was not running on :${instance.port}`;
  const result = asPostgres('pg_ctl', ['-D', instance.datadir, '-m', 'fast', '-w', '-t', '60', 'stop']);
  if (result.status !== 0) throw new PostgresError(`PostgreSQL on :${instance.port} did not stop: ${asText(result)}`);
  return `PostgreSQL stopped on :${instance.port}`;
}
