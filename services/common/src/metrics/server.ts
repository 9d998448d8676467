import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics } from 'prom-client';
import { envInt } from '../config';
import type { Logger } from '../logger';
import { metricsRegistry } from './registry';

/**
 * METRICS_PORT: where the app serves GET /metrics, on a listener of its own — never on the app's
 * port, so the gateway's public port (and every app's sidecar-only port) has no /metrics.
 * Unset or 0: no metrics server, and no per-request recording (createHttpApp).
 */
export const metricsPortFromEnv = (): number | undefined => {
  const port = envInt('METRICS_PORT', 0, { max: 65535 });
  return port === 0 ? undefined : port;
};

let processMetrics = false;

/**
 * Serves the registry at GET /metrics on `host:port` (the app's own listen address: loopback
 * locally, the pod's address on Kubernetes where NetworkPolicies admit only the monitoring
 * namespace). Adds prom-client's default process metrics (CPU, memory, event loop lag, GC) once.
 */
export async function startMetricsServer({ port, host, logger }: { port: number; host: string; logger: Logger }): Promise<Server> {
  if (!processMetrics) {
    collectDefaultMetrics({ register: metricsRegistry });
    processMetrics = true;
  }
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || path !== '/metrics') {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":{"code":"NOT_FOUND","message":"Only GET /metrics here.","details":[]}}');
      return;
    }
    metricsRegistry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (error: unknown) => {
        logger.error({ err: error }, 'metrics could not be collected');
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  logger.info({ port }, 'metrics at /metrics');
  return server;
}
