import path from 'node:path';
import express, { type Express } from 'express';
import { createHttpApp, currentContext, labelRoute, UNMATCHED_ROUTE, type Logger } from '@staycar/common';
import { Authenticator } from '../app/authenticator';
import type { TokenVerifier } from '../ports';
import type { GatewayConfig, ServiceName } from '../config';
import type { RateCounter, ServiceInvoker } from '../ports';
import { RateLimiter } from '../app/rateLimiter';
import { allowListHandler, refuseInvalidCredentials } from './allowListHandler';
import { apiDocsRoutes } from './apiDocs';
import { behindEdge } from './edge';
import { contextHeaders } from './forwarding/forwardedHeaders';
import { RateLimits } from './rateLimits';

export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  invoker: ServiceInvoker;
  tokenVerifier: TokenVerifier;
  rateCounter: RateCounter;
  sidecarHealthy: () => Promise<boolean>;
  publicDir?: string;
  /** The OpenAPI document served at /openapi.json (default: public/openapi.json). */
  openApiFile?: string;
}

const PUBLIC_DIR = path.join(__dirname, '..', '..', 'public');
/** swagger-ui-dist's files, from the gateway's own node_modules. */
const RENDERER_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const RATE_WINDOW_MS = 60_000;

export function createGatewayApp(deps: GatewayDeps): Express {
  const { config, invoker, logger } = deps;
  const authenticator = new Authenticator(deps.tokenVerifier, config.auth.adminUsernames);
  const limiter = new RateLimiter(deps.rateCounter, { windowMs: RATE_WINDOW_MS, timeoutMs: config.rateLimit.redisTimeoutMs, logger });
  const rateLimits = new RateLimits(limiter, config.rateLimit);

  const app = createHttpApp({
    logger,
    // The public door: clients call it directly, not through its sidecar.
    appApiToken: false,
    readiness: [{ name: 'sidecar', check: deps.sidecarHealthy }],
    healthz: async (_req, res) => {
      const names = Object.keys(config.appIds) as ServiceName[];
      const headers = contextHeaders(currentContext());
      const states = await Promise.all(names.map((name) => invoker.probe(config.appIds[name], config.healthProbeTimeoutMs, headers)));
      const services = Object.fromEntries(names.map((name, i) => [name, states[i] ? 'up' : 'down']));
      res.json({ status: states.every(Boolean) ? 'ok' : 'degraded', services });
    },
    rawRoutes: (app) => {
      const publicDir = deps.publicDir ?? PUBLIC_DIR;
      app.use(allowListHandler({ config, logger, invoker, authenticator, rateLimits }));
      app.use(
        apiDocsRoutes({
          authenticator,
          rateLimits,
          documentFile: deps.openApiFile ?? path.join(PUBLIC_DIR, 'openapi.json'),
          rendererDir: RENDERER_DIR,
        }),
      );
      app.use(refuseInvalidCredentials(authenticator));
      const files = express.static(publicDir, { index: 'index.html', maxAge: '1m' });
      // The dashboard's files are one route for the metrics; a path that is no file stays `unmatched`.
      app.use((req, res, next) => {
        labelRoute(res, 'static');
        void files(req, res, (error?: unknown) => {
          labelRoute(res, UNMATCHED_ROUTE);
          next(error);
        });
      });
    },
    routes: () => undefined,
  });
  app.set('trust proxy', config.trustProxy);
  return behindEdge(app);
}
