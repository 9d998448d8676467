import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '../support/api';
import { metricsPorts } from '../support/metrics';

// `npm run prometheus` against the running system (docs/observability.md): the Debian package the
// set-up installed, configured from dapr.yaml, scrapes all 16 endpoints — every app's own metrics
// and every sidecar's — and answers a saved query. Started on a port nothing listens on, stopped after.

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..');
function freePort(): number {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    if (spawnSync('ss', ['-Htln', `sport = :${port}`], { encoding: 'utf8' }).stdout.trim() === '') return port;
  }
}
const port = freePort();
const prometheus = (action: 'start' | 'stop') =>
  promisify(execFile)('node', [path.join(ROOT, 'scripts', 'prometheus.mjs'), action], {
    cwd: ROOT,
    env: { ...process.env, PROMETHEUS_PORT: String(port) },
    timeout: 60_000,
  });

afterAll(async () => {
  await prometheus('stop');
});

interface Target {
  labels: Record<string, string>;
  health: string;
  scrapeUrl: string;
}

describe('npm run prometheus', () => {
  it('when started beside the running system, then all 16 targets of dapr.yaml are up and a saved query answers per app', async () => {
    const { stdout } = await prometheus('start');
    expect(stdout).toContain(`http://127.0.0.1:${port}`);
    const expected = metricsPorts()
      .flatMap(({ appId, app, sidecar }) => [`staycar-apps ${appId} 127.0.0.1:${app}`, `dapr-sidecars ${appId} 127.0.0.1:${sidecar}`])
      .sort();
    await eventually(
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/targets?state=active`);
        const targets = ((await res.json()) as { data: { activeTargets: Target[] } }).data.activeTargets;
        expect(targets.map((t) => `${t.labels.job} ${t.labels.app} ${new URL(t.scrapeUrl).host}`).sort()).toEqual(expected);
        expect(targets.filter((t) => t.health !== 'up').map((t) => t.scrapeUrl)).toEqual([]);
      },
      60_000,
      1_000,
    );
    const query = encodeURIComponent('sum by (app) (rate(process_cpu_seconds_total{job="staycar-apps"}[1m]))');
    await eventually(
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${query}`);
        const result = ((await res.json()) as { data: { result: { metric: { app: string } }[] } }).data.result;
        expect(result.map((r) => r.metric.app).sort()).toEqual(
          metricsPorts()
            .map((p) => p.appId)
            .sort(),
        );
      },
      30_000,
      1_000,
    );
  });
});
