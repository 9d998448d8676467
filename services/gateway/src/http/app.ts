import path from 'node:path';
import express, { type Express, type Request, type Response } from 'express';
import { BODY_LIMIT, createHttpApp, isErrorBody, tryLater, type Logger } from '@staycar/common';
import type { ServiceInvoker } from '../adapters/serviceInvoker';
import type { GatewayConfig, ServiceName } from '../config';
import { PUBLIC_ROUTES } from '../routes';
import { InflightLimiter } from './inflightLimiter';

export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  invoker: ServiceInvoker;
  sidecarHealthy: () => Promise<boolean>;
  publicDir?: string;
}

const DAPR_RETRY_AFTER_SECONDS = 2;

/** True when the answer is Dapr's own failure (callee unreachable, breaker open, timeout), not the callee's. */
function isDaprFailure(status: number, body: Buffer): boolean {
  if (status < 500) return false;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return !isErrorBody(parsed) && typeof parsed === 'object' && parsed !== null && 'errorCode' in parsed;
  } catch {
    return status === 502 || status === 503 || status === 504;
  }
}

export function createGatewayApp(deps: GatewayDeps): Express {
  const { config, invoker, logger } = deps;
  const raw = express.raw({ type: () => true, limit: BODY_LIMIT });
  const limiters = {
    reservation: new InflightLimiter(config.maxInflightReservations),
    other: new InflightLimiter(config.maxInflightOther),
  };

  const forward = (service: ServiceName) => async (req: Request, res: Response) => {
    const limiter = service === 'reservation' ? limiters.reservation : limiters.other;
    const release = limiter.tryAcquire();
    if (!release) {
      logger.warn({ service, limit: limiter.limit }, 'load shed');
      throw tryLater(`Too many requests in flight for ${service}; try again shortly.`, 1);
    }
    try {
      await forwardNow(service, req, res);
    } finally {
      release();
    }
  };

  const forwardNow = async (service: ServiceName, req: Request, res: Response) => {
    const headers = Object.fromEntries(
      Object.entries(req.headers).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value]] : [])),
    );
    let answer;
    try {
      answer = await invoker.forward({
        appId: config.appIds[service],
        method: req.method,
        pathAndQuery: req.originalUrl,
        headers,
        body: Buffer.isBuffer(req.body) ? req.body : undefined,
        timeoutMs: config.upstreamTimeoutMs,
      });
    } catch (error) {
      logger.warn({ service, err: error }, 'service unreachable');
      throw tryLater(`The ${service} service did not answer; try again shortly.`, DAPR_RETRY_AFTER_SECONDS);
    }
    if (isDaprFailure(answer.status, answer.body)) {
      logger.warn({ service, status: answer.status, body: answer.body.toString('utf8').slice(0, 300) }, 'dapr could not reach the service');
      throw tryLater(`The ${service} service is unavailable; try again shortly.`, DAPR_RETRY_AFTER_SECONDS);
    }
    res.status(answer.status);
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.end(answer.body);
  };

  return createHttpApp({
    logger,
    readiness: [{ name: 'sidecar', check: deps.sidecarHealthy }],
    healthz: async (_req, res) => {
      const names = Object.keys(config.appIds) as ServiceName[];
      const states = await Promise.all(names.map((name) => invoker.probe(config.appIds[name], config.healthProbeTimeoutMs)));
      const services = Object.fromEntries(names.map((name, i) => [name, states[i] ? 'up' : 'down']));
      res.json({ status: states.every(Boolean) ? 'ok' : 'degraded', services });
    },
    rawRoutes: (app) => {
      for (const route of PUBLIC_ROUTES) {
        const method = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete';
        app[method](route.path, raw, forward(route.service));
      }
      app.use(express.static(deps.publicDir ?? path.join(__dirname, '..', '..', 'public'), { index: 'index.html', maxAge: '1m' }));
    },
    routes: () => undefined,
  });
}
