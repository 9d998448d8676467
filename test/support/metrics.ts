import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');

/** An app of dapr.yaml (the launcher's config) and its two metrics ports. */
export interface MetricsPorts {
  appId: string;
  /** The app's own GET /metrics (env METRICS_PORT). */
  app: number;
  /** Its daprd's metrics (metricsPort). */
  sidecar: number;
}

/** Every app of dapr.yaml with its metrics ports, read from the file the launcher reads. */
export function metricsPorts(): MetricsPorts[] {
  const doc = parse(fs.readFileSync(path.join(ROOT, 'dapr.yaml'), 'utf8')) as {
    apps: { appID: string; metricsPort: number; env?: Record<string, string> }[];
  };
  return doc.apps.map((a) => ({ appId: a.appID, app: Number(a.env?.METRICS_PORT), sidecar: a.metricsPort }));
}

export const portsOf = (appId: string): MetricsPorts => {
  const found = metricsPorts().find((p) => p.appId === appId);
  if (!found) throw new Error(`no app ${appId} in dapr.yaml`);
  return found;
};

/** The metrics text a port answers at /metrics on loopback. */
export async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`:${port}/metrics answered ${res.status}`);
  return res.text();
}
