import { randomUUID, timingSafeEqual } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import pinoHttp from 'pino-http';
import { ApiError, DomainError, internal, malformedJson, notFound, payloadTooLarge, tryLater } from '../errors';
import { DaprError } from '../dapr/errors';
import type { Logger } from '../logger';
import { runWithContext, traceIdOf } from '../requestContext';
import { BULK_ROUTE } from './subscriptions';
import { httpMetrics } from '../metrics/http';
import { metricsPortFromEnv } from '../metrics/server';

export const BODY_LIMIT = '64kb';
/** A bulk delivery from the sidecar carries up to BULK_MAX_MESSAGES events of up to 64 KiB each. */
export const BULK_BODY_LIMIT = '16mb';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean>;
}

export interface HttpAppOptions {
  logger: Logger;
  /** Each must answer for /readyz to say ready (the sidecar, a database…). */
  readiness?: ReadinessCheck[];
  /**
   * Every route but the health probes requires header `dapr-api-token` = this token, the one the
   * app's own sidecar sends (Dapr's APP_API_TOKEN): nothing but that sidecar can call the app.
   * Default: env APP_API_TOKEN (the launcher and the Kubernetes manifests set it; unset = no check).
   * `false` for an app that the outside world calls directly (the gateway).
   */
  appApiToken?: string | false;
  /** Adds the service's routes. */
  routes: (app: Express) => void;
  /** Routes mounted before the JSON body parser (the gateway's pass-through proxy). */
  rawRoutes?: (app: Express) => void;
  /** Replaces the plain `{status: "ok"}` of GET /healthz (the gateway reports every service). */
  healthz?: (req: Request, res: Response) => Promise<void> | void;
  /**
   * Count and time every request by route template (metrics/http.ts). Default: on when METRICS_PORT
   * is set (runService then serves them on that port).
   */
  metrics?: boolean;
}

const REQUEST_ID = /^[\w.:@-]{1,200}$/;

/**
 * The HTTP skeleton every service shares: request id + trace context, JSON logs, the 64 KiB JSON
 * body limit, health probes, API.md's error shape for everything that goes wrong.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  if (options.metrics ?? metricsPortFromEnv() !== undefined) app.use(httpMetrics());
  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.header('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const traceparent = req.header('traceparent');
    if (traceparent) res.setHeader('traceparent', traceparent);
    runWithContext({ requestId, traceparent, tracestate: req.header('tracestate') }, next);
  });

  const successLevel = options.logger.isLevelEnabled('debug') ? 'debug' : 'silent';
  app.use(
    pinoHttp({
      logger: options.logger,
      genReqId: (_req, res) => String(res.getHeader('X-Request-Id')),
      customProps: (req) => ({ traceId: traceIdOf(req.headers.traceparent as string | undefined) }),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      // 503 is our deliberate "try again later" (breaker open, dependency down, load shed): a warning.
      // 2xx/3xx at debug, and 'silent' when debug is off: pino-http then skips its per-request child
      // logger and serializers (a few % of a service's CPU under load, profiled).
      customLogLevel: (_req, res, error) =>
        error || (res.statusCode >= 500 && res.statusCode !== 503)
          ? 'error'
          : res.statusCode === 503
            ? 'warn'
            : res.statusCode >= 400
              ? 'info'
              : successLevel,
      // pino-http invents an Error (with a stack) for every 5xx answer; keep only real errors.
      customErrorObject: (_req, res, error, value) => {
        const thrown = (res as Response & { err?: unknown }).err !== undefined || !error.message.startsWith('failed with status code');
        if (thrown) return value as object;
        const { err: _invented, ...rest } = value as Record<string, unknown>;
        return rest;
      },
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );

  app.get('/healthz', options.healthz ?? ((_req, res) => void res.json({ status: 'ok' })));
  app.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      (options.readiness ?? []).map(async ({ name, check }) => [name, await check().catch(() => false)] as const),
    );
    const checks = Object.fromEntries(results.map(([name, ok]) => [name, ok ? 'up' : 'down']));
    const ready = results.every(([, ok]) => ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });

  const appApiToken = options.appApiToken === undefined ? process.env.APP_API_TOKEN : options.appApiToken;
  if (appApiToken) {
    const expected = Buffer.from(appApiToken);
    app.use((req: Request, _res: Response, next: NextFunction) => {
      const given = Buffer.from(req.header('dapr-api-token') ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        next(new ApiError(401, 'UNAUTHENTICATED', 'Missing or wrong app API token.'));
        return;
      }
      next();
    });
  }

  options.rawRoutes?.(app);
  // Only past the app API token check above, i.e. only from the service's own sidecar.
  app.use(BULK_ROUTE, express.json({ limit: BULK_BODY_LIMIT, type: ['application/json', 'application/*+json'], strict: false }));
  app.use(express.json({ limit: BODY_LIMIT, type: ['application/json', 'application/*+json'], strict: false }));
  options.routes(app);

  app.use((_req: Request, _res: Response, next: NextFunction) => next(notFound('NOT_FOUND', 'No such route.')));
  app.use(errorHandler(options.logger));
  return app;
}

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Maps anything thrown to API.md's error body; never a stack trace. */
export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const apiError = toApiError(error);
    if (apiError.status >= 500 && apiError.code === 'INTERNAL') {
      logger.error({ err: error, method: req.method, url: req.originalUrl }, 'unhandled error');
    }
    if (apiError.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(apiError.retryAfterSeconds));
    // API.md: every 401 has a Bearer challenge; one set before the error was thrown (a more precise one) stays.
    if (apiError.status === 401 && !res.hasHeader('WWW-Authenticate')) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(apiError.status).json(apiError.toBody());
  };
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof DomainError) return ApiError.of(error);
  // The sidecar, its store or a callee did not answer, or refused for a reason of its own (a lost
  // race that ran out of retries included): nothing was changed, the caller may try again.
  if (error instanceof DaprError) return ApiError.of(tryLater());
  const parserError = error as BodyParserError;
  if (parserError?.type === 'entity.parse.failed') return ApiError.of(malformedJson());
  if (parserError?.type === 'entity.too.large') return ApiError.of(payloadTooLarge('64 KiB'));
  if (parserError?.type === 'encoding.unsupported' || parserError?.type === 'charset.unsupported') {
    return new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON as UTF-8.');
  }
  if (parserError?.type === 'request.aborted') return new ApiError(400, 'REQUEST_ABORTED', 'The request was aborted.');
  // A path segment that is not even valid percent-encoding cannot name anything (API.md: path ids → 404).
  if (error instanceof URIError && parserError.status === 400) return ApiError.of(notFound('NOT_FOUND', 'No such resource.'));
  return ApiError.of(internal());
}
