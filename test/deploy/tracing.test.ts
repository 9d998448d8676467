/**
 * Traces on Kubernetes, offline: the overlays run without them (no SDK in the apps, no exporter in
 * the sidecars: the cluster overlay has no collector), and the Component deploy/tracing turns them
 * on for apps and sidecars alike, towards one collector named in configuration.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isObject, renderKustomization, type Json, type K8sObject } from './support/kustomize';

const ROOT = path.resolve(__dirname, '..', '..');
const APPS = ['gateway', 'identity', 'room', 'rentcar', 'reservation', 'payment', 'message', 'viewpage'];
const get = (value: Json | undefined, ...keys: string[]): Json | undefined =>
  keys.reduce<Json | undefined>((v, k) => (isObject(v) ? v[k] : undefined), value);
const find = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};

/** An overlay with deploy/tracing added, as its README line says. */
function withTracing(overlay: string): K8sObject[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'staycar-tracing-'));
  try {
    const rel = (p: string) => path.relative(dir, path.join(ROOT, 'deploy', p));
    fs.writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${rel(overlay)}\ncomponents:\n  - ${rel('tracing')}\n`,
    );
    return renderKustomization(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every app container reads the OTEL_* variables from the ConfigMap and takes its service name from its pod's label. */
function appsReadTracingConfig(objects: K8sObject[]): void {
  for (const app of APPS) {
    const container = (get(find(objects, 'Deployment', app), 'spec', 'template', 'spec', 'containers') as Json[])[0];
    const env = get(container, 'env') as Array<{ name: string; valueFrom?: Json }>;
    expect(get(env.find((e) => e.name === 'OTEL_SERVICE_NAME')?.valueFrom, 'fieldRef')).toEqual({
      fieldPath: "metadata.labels['app.kubernetes.io/name']",
    });
    expect(get(find(objects, 'Deployment', app), 'spec', 'template', 'metadata', 'labels', 'app.kubernetes.io/name')).toBe(app);
    for (const key of ['OTEL_SDK_DISABLED', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG']) {
      expect(get(env.find((e) => e.name === key)?.valueFrom, 'configMapKeyRef')).toEqual({ name: 'staycar-config', key });
    }
  }
}

describe('traces on Kubernetes', () => {
  it.each(['overlays/cluster', 'overlays/production'])(
    'when %s is applied, then the apps load no SDK and the sidecars export nowhere',
    (overlay) => {
      const objects = renderKustomization(path.join(ROOT, 'deploy', overlay));
      appsReadTracingConfig(objects);
      expect(get(find(objects, 'ConfigMap', 'staycar-config'), 'data', 'OTEL_SDK_DISABLED')).toBe('true');
      expect(get(find(objects, 'Configuration', 'staycar'), 'spec', 'tracing', 'otel')).toBeUndefined();
    },
  );

  it('when deploy/tracing is added to an overlay, then apps and sidecars export to the one collector of configuration, and may reach it', () => {
    const objects = withTracing('overlays/production');
    appsReadTracingConfig(objects);
    const data = get(find(objects, 'ConfigMap', 'staycar-config'), 'data');
    expect(get(data, 'OTEL_SDK_DISABLED')).toBe('false');
    const collector = new URL(String(get(data, 'OTEL_EXPORTER_OTLP_ENDPOINT')));
    const tracing = get(find(objects, 'Configuration', 'staycar'), 'spec', 'tracing');
    expect(get(tracing, 'otel')).toEqual({ endpointAddress: collector.host, isSecure: collector.protocol === 'https:', protocol: 'http' });
    expect(get(tracing, 'samplingRate')).toBe(get(data, 'OTEL_TRACES_SAMPLER_ARG'));
    const policy = find(objects, 'NetworkPolicy', 'allow-traces-to-collector');
    expect(get(policy, 'spec', 'podSelector')).toEqual({});
    expect(get(policy, 'spec', 'egress')).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': collector.hostname.split('.')[1] } } }],
        ports: [{ protocol: 'TCP', port: Number(collector.port) }],
      },
    ]);
  });
});
