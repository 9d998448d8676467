// The set-up's from-nothing path for the stores of the other component profiles (issue 16):
// PostgreSQL (postgres-rabbitmq), RabbitMQ (postgres-rabbitmq) and Kafka (kafka). Each runs the
// set-up's own functions against a throwaway instance — fresh data directory, other ports; for
// Kafka an empty install directory and an empty Maven repository, so the jars really come from
// Maven Central — then checks the result the way the sidecars use it. The Debian packages
// (postgresql, rabbitmq-server, Java, Maven) are the set-up's package step, as for MariaDB.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '..', '..');
const DRIVER = path.join(__dirname, 'throwaway.mjs');
const versions = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'versions.json'), 'utf8')) as { kafka: string };

jest.setTimeout(600_000);

async function setupStep(command: string, args: object): Promise<{ ok: boolean; result?: unknown; error?: string }> {
  const { stdout } = await promisify(execFile)('node', [DRIVER, command, JSON.stringify(args)], { cwd: ROOT, timeout: 600_000 }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  const step = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { ok: boolean; result?: unknown; error?: string };
  // A failed step's own words in the assertion's diff (toMatchObject would show `ok` alone).
  if (!step.ok) return { ...step, result: `failed: ${step.error ?? stdout}` };
  return step;
}

/** A port nothing listens on now (`ss`), never handed out twice in this file: a random one could be taken (RabbitMQ's dist port is 25672). */
const handedOut = new Set<number>();
function freePort(): number {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    if (handedOut.has(port)) continue;
    const listening = spawnSync('ss', ['-Htln', `sport = :${port}`], { encoding: 'utf8' }).stdout.trim();
    if (listening !== '') continue;
    handedOut.add(port);
    return port;
  }
}
const tmp = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755); // the postgres user must reach its data directory below it
  return dir;
};
const run = async (file: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  promisify(execFile)(file, args, { env: { ...process.env, ...env }, timeout: 120_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, out: `${stdout}${stderr}` }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? 1,
      out: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    }),
  );

/** The first bytes a server answers to `hello` on a TCP port. */
function firstBytes(port: number, hello: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write(hello));
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data);
    });
    socket.once('error', reject);
  });
}

describe('set-up from nothing: PostgreSQL (postgres-rabbitmq profile)', () => {
  // The set-up's package step for this store (a no-op where the packages are installed).
  beforeAll(async () => {
    expect(await setupStep('store-packages', { store: 'postgres' })).toMatchObject({ ok: true });
  });
  const dir = tmp('staycar-postgres-');
  const instance = {
    port: freePort(),
    database: 'staycar_fresh',
    user: 'staycar_fresh',
    password: `pw-${randomBytes(6).toString('hex')}`,
    datadir: path.join(dir, 'data'),
    socketDir: dir,
    logFile: path.join(dir, 'postgres.log'),
    // viewpage's read model on a profile with "viewDb": "postgres": its own user and database.
    view: { database: 'staycar_fresh_view', user: 'staycar_fresh_view', password: `pw-${randomBytes(6).toString('hex')}` },
  };
  /** What the sidecar (or, with `login`, viewpage) does: log in over TCP with the password and use the database. */
  const serviceUser = (sql: string, login: { user: string; database: string; password: string } = instance) =>
    run(
      'psql',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(instance.port),
        '-U',
        login.user,
        '-d',
        login.database,
        '-X',
        '-A',
        '-t',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        sql,
      ],
      { PGPASSWORD: login.password },
    );
  afterAll(async () => {
    await setupStep('postgres-stop', { instance });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when the data directory is empty and no server runs, then the set-up initialises, starts and provisions it, and the service user creates tables', async () => {
    expect(await setupStep('postgres-ensure', { instance })).toMatchObject({
      ok: true,
      result: expect.stringMatching(/started.*view user staycar_fresh_view logs in and uses database staycar_fresh_view \(provisioned\)/),
    });
    expect(fs.existsSync(path.join(instance.datadir, 'PG_VERSION'))).toBe(true);
    const created = await serviceUser('CREATE TABLE probe (id int PRIMARY KEY); INSERT INTO probe VALUES (1); SELECT id FROM probe');
    expect(created).toMatchObject({ code: 0 });
    expect(created.out.trim().split('\n').at(-1)).toBe('1');
    expect(await serviceUser('SELECT 1')).toMatchObject({ code: 0 });
    // The view's user makes its tables in its own database and cannot read the state's.
    const viewCreated = await serviceUser(
      'CREATE TABLE view_probe (id int PRIMARY KEY); INSERT INTO view_probe VALUES (2); SELECT id FROM view_probe',
      instance.view,
    );
    expect(viewCreated).toMatchObject({ code: 0 });
    expect(viewCreated.out.trim().split('\n').at(-1)).toBe('2');
    expect((await serviceUser('SELECT id FROM probe', { ...instance.view, database: instance.database })).out).toMatch(/permission denied/);
    expect(await setupStep('postgres-ensure', { instance })).toMatchObject({
      ok: true,
      result: expect.stringMatching(/answers.*already provisioned/),
    });
    // Loopback only, and a wrong password is refused (scram over TCP, no trust).
    expect(
      (
        await run(
          'psql',
          ['-h', '127.0.0.1', '-p', String(instance.port), '-U', instance.user, '-d', instance.database, '-c', 'SELECT 1'],
          { PGPASSWORD: 'wrong' },
        )
      ).out,
    ).toMatch(/password authentication failed/);
  });

  it('when it was stopped, then the set-up starts it again on its data (the table is still there)', async () => {
    expect(await setupStep('postgres-stop', { instance })).toMatchObject({ ok: true, result: expect.stringMatching(/stopped/) });
    expect((await serviceUser('SELECT 1')).code).not.toBe(0);
    expect(await setupStep('postgres-ensure', { instance })).toMatchObject({
      ok: true,
      result: expect.stringMatching(/started.*already provisioned/),
    });
    expect((await serviceUser('SELECT id FROM probe')).out.trim()).toBe('1');
  });
});

describe('set-up from nothing: RabbitMQ (postgres-rabbitmq profile)', () => {
  // The set-up's package step for this store (a no-op where the packages are installed).
  beforeAll(async () => {
    expect(await setupStep('store-packages', { store: 'rabbitmq' })).toMatchObject({ ok: true });
  });
  const dir = tmp('staycar-rabbitmq-');
  const instance = {
    node: `staycar-test-${randomBytes(3).toString('hex')}@localhost`,
    port: freePort(),
    distPort: freePort(),
    user: 'staycar_fresh',
    password: `pw-${randomBytes(6).toString('hex')}`,
    dir,
  };
  const ctl = (...args: string[]) => run('/usr/lib/rabbitmq/bin/rabbitmqctl', ['-q', '-n', instance.node, ...args]);
  afterAll(async () => {
    await setupStep('rabbitmq-stop', { instance });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when its directory is empty and no node runs, then the set-up starts one that speaks AMQP on loopback, and the service user logs in with its password only', async () => {
    expect(await setupStep('rabbitmq-ensure', { instance })).toMatchObject({
      ok: true,
      result: expect.stringMatching(/started.*provisioned/),
    });
    expect(fs.readdirSync(path.join(dir, 'mnesia')).length).toBeGreaterThan(0);
    // AMQP 0-9-1 protocol header → the server's Connection.Start (a method frame, type 1).
    const answer = await firstBytes(instance.port, Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'));
    expect(answer[0]).toBe(1);
    expect((await ctl('authenticate_user', instance.user, instance.password)).code).toBe(0);
    expect((await ctl('authenticate_user', instance.user, 'wrong')).code).not.toBe(0);
    expect((await ctl('list_user_permissions', instance.user)).out).toMatch(/\/\s+\.\*\s+\.\*\s+\.\*/);
    expect(await setupStep('rabbitmq-ensure', { instance })).toMatchObject({
      ok: true,
      result: expect.stringMatching(/answers.*already provisioned/),
    });
  });

  it('when it was stopped, then the set-up starts it again on its directory (the user is still there)', async () => {
    expect(await setupStep('rabbitmq-stop', { instance })).toMatchObject({ ok: true, result: expect.stringMatching(/stopped/) });
    expect(await setupStep('rabbitmq-ensure', { instance })).toMatchObject({
      ok: true,
      result: expect.stringMatching(/started.*already provisioned/),
    });
  });
});

describe('set-up from nothing: Kafka (kafka profile)', () => {
  // The set-up's package step for this store (a no-op where the packages are installed).
  beforeAll(async () => {
    expect(await setupStep('store-packages', { store: 'kafka' })).toMatchObject({ ok: true });
  });
  const dir = tmp('staycar-kafka-');
  const instance = {
    version: versions.kafka,
    port: freePort(),
    controllerPort: freePort(),
    dir: path.join(dir, 'data-dir'),
    libs: path.join(dir, 'install', 'libs'),
    partitions: 2,
    heapMb: 256,
  };
  const mavenRepo = path.join(dir, 'empty-maven-repository');
  afterAll(async () => {
    await setupStep('kafka-stop', { instance });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when nothing is installed (empty install directory, empty Maven repository), then the set-up fetches Kafka from Maven Central, formats KRaft storage, starts it, and a client gets its API versions', async () => {
    fs.mkdirSync(instance.dir, { recursive: true });
    const step = await setupStep('kafka-ensure', { instance, mavenRepo });
    expect(step).toMatchObject({ ok: true, result: expect.stringMatching(/KRaft\) started.*jars installed/) });
    expect(fs.existsSync(path.join(instance.libs, `kafka_2.13-${versions.kafka}.jar`))).toBe(true);
    expect(fs.existsSync(path.join(mavenRepo, 'org', 'apache', 'kafka', 'kafka_2.13', versions.kafka))).toBe(true);
    expect(fs.readFileSync(path.join(instance.dir, 'data', 'meta.properties'), 'utf8')).toMatch(/cluster\.id=/);
    expect(fs.readFileSync(path.join(instance.dir, 'server.properties'), 'utf8')).toMatch(/process\.roles=broker,controller/);
    // A topic made and listed through the admin API of the node.
    const topics = (...args: string[]) =>
      run('java', [
        '-cp',
        `${instance.libs}/*`,
        'org.apache.kafka.tools.TopicCommand',
        '--bootstrap-server',
        `127.0.0.1:${instance.port}`,
        ...args,
      ]);
    expect(await topics('--create', '--topic', 'probe', '--partitions', '2')).toMatchObject({ code: 0 });
    expect((await topics('--list')).out).toMatch(/^probe$/m);
    expect(await setupStep('kafka-ensure', { instance, mavenRepo })).toMatchObject({
      ok: true,
      result: expect.stringMatching(/answers.*jars present/),
    });
  });

  it('when it was stopped, then the set-up starts it again on its data (the topic is still there)', async () => {
    expect(await setupStep('kafka-stop', { instance })).toMatchObject({ ok: true, result: expect.stringMatching(/stopped/) });
    expect(await setupStep('kafka-ensure', { instance, mavenRepo })).toMatchObject({ ok: true, result: expect.stringMatching(/started/) });
    const list = await run('java', [
      '-cp',
      `${instance.libs}/*`,
      'org.apache.kafka.tools.TopicCommand',
      '--bootstrap-server',
      `127.0.0.1:${instance.port}`,
      '--list',
    ]);
    expect(list.out).toMatch(/^probe$/m);
  });
});
