// The set-up's Prometheus step from nothing (docs/observability.md): Debian's package through the
// set-up's package step (a no-op where installed), proved by running it; then a Prometheus of
// its own — fresh data directory, a port nothing listens on — started by the same function as
// `npm run prometheus`, scraping two stand-in metrics endpoints; and the configuration the real
// dapr.yaml makes: 16 targets, the ports of the launcher's file.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '..', '..');
const DRIVER = path.join(__dirname, 'throwaway.mjs');

async function setupStep(command: string, args: object = {}): Promise<{ ok: boolean; result?: unknown; error?: string }> {
  const { stdout } = await promisify(execFile)('node', [DRIVER, command, JSON.stringify(args)], { cwd: ROOT, timeout: 300_000 }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  const step = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { ok: boolean; result?: unknown; error?: string };
  if (!step.ok) return { ...step, result: `failed: ${step.error ?? stdout}` };
  return step;
}

function freePort(): number {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    if (spawnSync('ss', ['-Htln', `sport = :${port}`], { encoding: 'utf8' }).stdout.trim() === '') return port;
  }
}

/** A metrics endpoint that answers one gauge with `value`. */
async function standIn(value: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`# TYPE stand_in_value gauge\nstand_in_value ${value}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const portOf = (server: Server) => (server.address() as AddressInfo).port;

describe('set-up from nothing: Prometheus', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'staycar-prometheus-'));
  const port = freePort();
  const servers: Server[] = [];
  afterAll(async () => {
    await setupStep('prometheus-stop', { dir });
    for (const server of servers) server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("when the set-up's step runs, then Debian's prometheus is installed and runs", async () => {
    expect(await setupStep('prometheus-step')).toMatchObject({ ok: true, result: expect.stringMatching(/prometheus, version 2\.\d+/) });
  });

  it('when started on an empty data directory, then it scrapes every app and sidecar endpoint it was given', async () => {
    const [app, sidecar] = [await standIn(7), await standIn(11)];
    servers.push(app, sidecar);
    const apps = [{ appID: 'standin', metricsPort: portOf(sidecar), env: { METRICS_PORT: String(portOf(app)) } }];
    expect(await setupStep('prometheus-start', { apps, port, dir })).toMatchObject({ ok: true, result: { started: true } });
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(true);

    const query = async (promql: string) => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`);
      return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
    };
    let samples: { metric: Record<string, string>; value: [number, string] }[] = [];
    for (let i = 0; i < 60 && samples.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      samples = await query('stand_in_value');
    }
    expect(samples.map((s) => [s.metric.job, s.metric.app, s.value[1]]).sort()).toEqual([
      ['dapr-sidecars', 'standin', '11'],
      ['staycar-apps', 'standin', '7'],
    ]);
    // Started again while it runs: the configuration is rewritten and reloaded, no second process.
    expect(await setupStep('prometheus-start', { apps, port, dir })).toMatchObject({ ok: true, result: { started: false } });
    expect(await setupStep('prometheus-stop', { dir })).toMatchObject({ ok: true, result: true });
    await expect(fetch(`http://127.0.0.1:${port}/-/ready`)).rejects.toThrow();
  });

  it('when the configuration is made from dapr.yaml, then it scrapes all 16 endpoints: each app’s METRICS_PORT and each sidecar’s metricsPort', async () => {
    const step = await setupStep('prometheus-config');
    expect(step.ok).toBe(true);
    const config = step.result as {
      scrape_configs: { job_name: string; static_configs: { targets: string[]; labels: { app: string } }[] }[];
    };
    const runFile = parse(fs.readFileSync(path.join(ROOT, 'dapr.yaml'), 'utf8')) as {
      apps: { appID: string; metricsPort: number; env?: Record<string, string> }[];
    };
    const targets = (job: string) =>
      config.scrape_configs
        .find((c) => c.job_name === job)
        ?.static_configs.map((s) => [s.labels.app, s.targets[0]])
        .sort();
    expect(targets('staycar-apps')).toEqual(runFile.apps.map((a) => [a.appID, `127.0.0.1:${a.env?.METRICS_PORT}`]).sort());
    expect(targets('dapr-sidecars')).toEqual(runFile.apps.map((a) => [a.appID, `127.0.0.1:${a.metricsPort}`]).sort());
    expect([...(targets('staycar-apps') ?? []), ...(targets('dapr-sidecars') ?? [])]).toHaveLength(16);
  });
});
