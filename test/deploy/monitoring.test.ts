/**
 * Metrics on Kubernetes (docs/observability.md): every app pod is annotated for annotation-based
 * scraping of its own metrics on the same METRICS_PORT as the local run (dapr.yaml), and the
 * Prometheus Operator's PodMonitor lives in an optional kustomize component that no overlay here
 * includes — the cluster overlay is applied in CI to a cluster without the operator's CRDs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isObject, renderKustomization, type Json, type JsonObject, type K8sObject } from './support/kustomize';

const ROOT = path.resolve(__dirname, '..', '..');
const OVERLAYS = fs.readdirSync(path.join(ROOT, 'deploy', 'overlays'));
const COMPONENT = path.join(ROOT, 'deploy', 'components', 'monitoring');

const list = (value: Json | undefined): JsonObject[] => (Array.isArray(value) ? value.filter(isObject) : []);
const at = (value: Json | undefined, ...keys: string[]): Json | undefined =>
  keys.reduce<Json | undefined>((v, k) => (isObject(v) ? v[k] : undefined), value);

const runFile = parseYaml(fs.readFileSync(path.join(ROOT, 'dapr.yaml'), 'utf8')) as {
  apps: { appID: string; env?: Record<string, string> }[];
};
const localMetricsPort = Object.fromEntries(runFile.apps.map((a) => [a.appID, a.env?.METRICS_PORT]));

/** production plus the monitoring component, as a user's overlay would add it. */
function productionWithMonitoring(): K8sObject[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'staycar-monitoring-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'namespace: staycar',
        `resources: [${JSON.stringify(path.join(ROOT, 'deploy', 'overlays', 'production'))}]`,
        `components: [${JSON.stringify(COMPONENT)}]`,
        '',
      ].join('\n'),
    );
    return renderKustomization(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('metrics on Kubernetes', () => {
  const production = renderKustomization(path.join(ROOT, 'deploy', 'overlays', 'production'));

  it("when a pod is annotated for scraping, then it names the app's own metrics: the METRICS_PORT of its container, a named port, the local run's port", () => {
    const deployments = production.filter(
      (o) => o.kind === 'Deployment' && at(o, 'spec', 'template', 'metadata', 'annotations', 'dapr.io/app-id'),
    );
    expect(deployments).toHaveLength(8);
    for (const d of deployments) {
      const annotations = at(d, 'spec', 'template', 'metadata', 'annotations') as Record<string, string>;
      const appId = annotations['dapr.io/app-id'];
      const [container] = list(at(d, 'spec', 'template', 'spec', 'containers'));
      const env = list(container.env).find((e) => e.name === 'METRICS_PORT')?.value;
      const port = list(container.ports).find((p) => p.name === 'metrics')?.containerPort;
      expect([appId, annotations['prometheus.io/scrape'], annotations['prometheus.io/port'], annotations['prometheus.io/path']]).toEqual([
        appId,
        'true',
        localMetricsPort[appId],
        '/metrics',
      ]);
      expect([appId, env, String(port)]).toEqual([appId, localMetricsPort[appId], localMetricsPort[appId]]);
      // The sidecar keeps its own metrics on 9090 (the injector names that port dapr-metrics).
      expect([appId, annotations['dapr.io/enable-metrics'], annotations['dapr.io/metrics-port']]).toEqual([appId, 'true', '9090']);
    }
  });

  it('when the monitoring component is added, then one PodMonitor scrapes both endpoints of every staycar pod', () => {
    const all = productionWithMonitoring();
    const monitors = all.filter((o) => o.apiVersion === 'monitoring.coreos.com/v1');
    expect(monitors.map((m) => [m.kind, m.metadata.name, m.metadata.namespace])).toEqual([['PodMonitor', 'staycar', 'staycar']]);
    const [monitor] = monitors;
    expect(list(at(monitor, 'spec', 'podMetricsEndpoints')).map((e) => [e.port, e.path])).toEqual([
      ['metrics', '/metrics'],
      ['dapr-metrics', '/'],
    ]);
    const names = list(at(monitor, 'spec', 'selector', 'matchExpressions'))[0]?.values as string[];
    expect([...names].sort()).toEqual(runFile.apps.map((a) => a.appID).sort());
    expect(at(monitor, 'spec', 'selector', 'matchLabels')).toEqual({ 'app.kubernetes.io/part-of': 'staycar' });
  });

  it.each(OVERLAYS)('when overlay %s is rendered, then it holds no Prometheus Operator object (its CRDs may be missing)', (overlay) => {
    const all = renderKustomization(path.join(ROOT, 'deploy', 'overlays', overlay));
    expect(all.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com/'))).toEqual([]);
  });
});
