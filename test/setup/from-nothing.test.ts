// The set-up's from-nothing path, run on every `npm test`: a machine where earlier sessions left
// MariaDB users, Redis and daprd behind would hide a missing install step, so these tests build
// throwaway instances (fresh data directory, their own socket and port) and run the set-up's own
// functions against them, then check the result the way the services use it.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import mysql from 'mysql2/promise';

const ROOT = path.resolve(__dirname, '..', '..');
const DRIVER = path.join(__dirname, 'throwaway.mjs');
const versions = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'versions.json'), 'utf8')) as { dapr: string };

async function setupStep(command: string, args: object): Promise<{ ok: boolean; result?: unknown; error?: string }> {
  const { stdout } = await promisify(execFile)('node', [DRIVER, command, JSON.stringify(args)], { cwd: ROOT, timeout: 600_000 }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
}

const freePort = () => 20000 + Math.floor(Math.random() * 10000);

describe('set-up from nothing: MariaDB', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'staycar-mariadb-'));
  fs.chmodSync(dir, 0o755);
  const instance = {
    port: freePort(),
    datadir: path.join(dir, 'data'),
    socket: path.join(dir, 'run', 'mysqld.sock'),
    pidFile: path.join(dir, 'run', 'mysqld.pid'),
    logFile: path.join(dir, 'mariadbd.log'),
    database: 'staycar_fresh',
    user: 'staycar_fresh',
    password: `pw-${randomBytes(6).toString('hex')}`,
  };
  const ensure = () => setupStep('mariadb-ensure', { instance });
  const sql = (statement: string) => setupStep('mariadb-sql', { instance, sql: statement });

  /** What a service does: log in over TCP as the service user and use the database. */
  async function serviceUserCanUseTheDatabase(): Promise<void> {
    const connection = await mysql.createConnection({
      host: '127.0.0.1',
      port: instance.port,
      user: instance.user,
      password: instance.password,
      database: instance.database,
    });
    try {
      await connection.query('CREATE TABLE IF NOT EXISTS probe (id INT PRIMARY KEY)');
      await connection.query('REPLACE INTO probe VALUES (1)');
      const [rows] = await connection.query('SELECT id FROM probe');
      expect(rows).toEqual([{ id: 1 }]);
    } finally {
      await connection.end();
    }
  }

  afterAll(async () => {
    await setupStep('mariadb-stop', { instance });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when the data directory is empty and no server runs, then the set-up initialises, starts and provisions it, and the service user works', async () => {
    expect(await ensure()).toMatchObject({ ok: true, result: expect.stringMatching(/started.*provisioned/) });
    await serviceUserCanUseTheDatabase();
    expect(await ensure()).toMatchObject({ ok: true, result: expect.stringMatching(/answers.*already provisioned/) });
  });

  it.each([
    ['the user is missing (the database is there)', (u: string) => `DROP USER '${u}'@'localhost'; DROP USER '${u}'@'127.0.0.1'`],
    ['the user has no grants', (u: string) => `REVOKE ALL PRIVILEGES, GRANT OPTION FROM '${u}'@'localhost', '${u}'@'127.0.0.1'`],
    ['the database is missing', () => 'DROP DATABASE staycar_fresh'],
    [
      'the user has another password',
      (u: string) => `ALTER USER '${u}'@'localhost' IDENTIFIED BY 'other'; ALTER USER '${u}'@'127.0.0.1' IDENTIFIED BY 'other'`,
    ],
  ])('when %s on a running server, then the set-up repairs it', async (_case, breakIt) => {
    expect(await sql(breakIt(instance.user))).toMatchObject({ ok: true });
    await expect(serviceUserCanUseTheDatabase()).rejects.toThrow();
    expect(await ensure()).toMatchObject({ ok: true, result: expect.stringMatching(/answers.*provisioned/) });
    await serviceUserCanUseTheDatabase();
  });

  it('when a killed server left its pid file and socket behind, then the set-up starts it again', async () => {
    expect(await setupStep('mariadb-stop', { instance })).toMatchObject({ ok: true, result: true });
    fs.writeFileSync(instance.pidFile, '999999\n');
    fs.writeFileSync(instance.socket, '');
    expect(await ensure()).toMatchObject({ ok: true, result: expect.stringMatching(/started/) });
    await serviceUserCanUseTheDatabase();
  });
});

describe('set-up from nothing: Redis', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'staycar-redis-'));
  const instance = { port: freePort(), dir, password: `pw-${randomBytes(6).toString('hex')}` };
  afterAll(async () => {
    await setupStep('redis-stop', { instance });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when no Redis runs, then the set-up starts one that answers PING with the configured password only', async () => {
    expect(await setupStep('redis-start', { instance })).toMatchObject({ ok: true, result: expect.stringMatching(/started/) });
    const withPassword = new Redis({
      host: '127.0.0.1',
      port: instance.port,
      password: instance.password,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    const withoutPassword = new Redis({ host: '127.0.0.1', port: instance.port, lazyConnect: true, maxRetriesPerRequest: 0 });
    withoutPassword.on('error', () => undefined);
    try {
      expect(await withPassword.ping()).toBe('PONG');
      await expect(withoutPassword.ping()).rejects.toThrow(/NOAUTH/);
      expect(await withPassword.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    } finally {
      withPassword.disconnect();
      withoutPassword.disconnect();
    }
    expect(await setupStep('redis-start', { instance })).toMatchObject({ ok: true, result: expect.stringMatching(/answers/) });
  });

  it('when a Redis with another password holds the port, then the set-up says so instead of going on', async () => {
    const wrong = await setupStep('redis-start', { instance: { ...instance, password: 'not-it' } });
    expect(wrong).toMatchObject({ ok: false, error: expect.stringMatching(/refuses the configured password/) });
  });
});

describe('set-up from nothing: daprd', () => {
  const binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'staycar-dapr-bin-'));
  afterAll(() => fs.rmSync(binDir, { recursive: true, force: true }));

  it('when the Dapr bin directory is empty, then the set-up puts the pinned, patched daprd there (from its build cache, or by building it)', async () => {
    const step = await setupStep('daprd', { binDir });
    expect(step).toMatchObject({ ok: true, result: { action: expect.stringMatching(/^(reused|built)$/), version: versions.dapr } });
    const daprd = path.join(binDir, 'daprd');
    const { stdout } = await promisify(execFile)(daprd, ['--version']);
    expect(stdout.trim()).toBe(versions.dapr);
    expect(JSON.parse(fs.readFileSync(path.join(binDir, 'daprd.staycar.json'), 'utf8'))).toMatchObject({ version: versions.dapr });
    expect(await setupStep('daprd', { binDir })).toMatchObject({ ok: true, result: { action: 'present' } });
  });

  it('when the Dapr bin directory has no Sentry, then the set-up puts the pinned one there, and it runs', async () => {
    const step = await setupStep('sentry', { binDir });
    expect(step).toMatchObject({ ok: true, result: { action: expect.stringMatching(/^(reused|built)$/), version: versions.dapr } });
    const help = await promisify(execFile)(path.join(binDir, 'sentry'), ['--help']).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    expect(`${help.stdout}${help.stderr}`).toMatch(/Usage of sentry/);
  });
});

describe('set-up from nothing: Zipkin', () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'staycar-zipkin-'));
  const versions = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'versions.json'), 'utf8')) as { zipkin: string };
  const pidFile = path.join(cacheDir, 'zipkin.json');
  afterAll(async () => {
    await setupStep('zipkin-stop', { pidFile });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  // A real download from Maven Central into an empty cache directory (≈ 135 MB), then the
  // launcher's own start of it (in memory, loopback, small heap) on another port.
  it('when its cache directory is empty, then the set-up downloads the pinned Zipkin there, and it takes a span and answers it back from its API and its UI', async () => {
    const step = await setupStep('zipkin-ensure', { cacheDir });
    expect(step).toMatchObject({ ok: true, result: { action: 'downloaded', version: versions.zipkin } });
    const jar = (step.result as { jar: string }).jar;
    expect(jar.startsWith(cacheDir)).toBe(true);
    expect(await setupStep('zipkin-ensure', { cacheDir })).toMatchObject({ ok: true, result: { action: 'present', jar } });

    const port = freePort();
    const instance = { port, maxSpans: 1000, heap: '-Xms64m -Xmx256m' };
    const started = await setupStep('zipkin-start', { instance, jar, pidFile, logFile: path.join(cacheDir, 'zipkin.log') });
    expect(started).toMatchObject({ ok: true, result: true });

    const traceId = randomBytes(16).toString('hex');
    const span = {
      traceId,
      id: randomBytes(8).toString('hex'),
      name: 'probe',
      kind: 'SERVER',
      timestamp: Date.now() * 1000,
      duration: 1000,
      localEndpoint: { serviceName: 'from-nothing' },
    };
    const posted = await fetch(`http://127.0.0.1:${port}/api/v2/spans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([span]),
    });
    expect(posted.status).toBe(202);
    const deadline = Date.now() + 30_000;
    let found: Array<{ name: string; localEndpoint: { serviceName: string } }> = [];
    while (Date.now() < deadline && found.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      found = await fetch(`http://127.0.0.1:${port}/api/v2/trace/${traceId}`)
        .then((res) => (res.ok ? (res.json() as Promise<typeof found>) : []))
        .catch(() => []);
    }
    expect(found.map((s) => [s.name, s.localEndpoint.serviceName])).toEqual([['probe', 'from-nothing']]);
    // Its web UI (Lens) is in the jar: the trace page is served.
    const page = await fetch(`http://127.0.0.1:${port}/zipkin/traces/${traceId}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="root">|zipkin/i);
  }, 600_000);
});
