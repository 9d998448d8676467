import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { BODY_LIMIT, currentContext, labelRoute, nameServerSpan, notFound, tryLater, type Logger } from '@staycar/common';
import type { Authenticator } from '../app/authenticator';
import type { GatewayConfig, ServiceName } from '../config';
import type { ServiceInvoker } from '../ports';
import { addressBucket } from '../domain/callerKeys';
import { ALLOWED_ROUTES } from './routes';
import { rateLimited, refusedByAuthentication } from './authResponses';
import { forwardedHeaders } from './forwarding/forwardedHeaders';
import { forwardableQuery, RouteTable, splitUrl } from './forwarding/routeTable';
import { isDaprFailure, relay } from './forwarding/upstream';
import { InflightLimiter } from './inflightLimiter';
import type { RateLimits } from './rateLimits';

export interface AllowListDeps {
  config: GatewayConfig;
  logger: Logger;
  invoker: ServiceInvoker;
  authenticator: Authenticator;
  rateLimits: RateLimits;
}

const DAPR_RETRY_AFTER_SECONDS = 2;

/** The client's address (behind TRUST_PROXY, the one the trusted proxies saw), as its limit bucket. */
export const clientAddress = (req: Request): string => addressBucket(req.ip ?? req.socket.remoteAddress);

/**
 * Serves the allow-list, one request at a time through: route and ids checked (404) → caller
 * authenticated → caller's rate limit (429) → token required / refused (401, 503) → body read →
 * the route's own limit (429) → load shedding (503) → forwarded with only validated parts.
 * Requests that match no allow-listed route go on to the dashboard's files (and 404).
 */
export function allowListHandler(deps: AllowListDeps): RequestHandler {
  const { config, logger, invoker, authenticator, rateLimits } = deps;
  const table = new RouteTable(ALLOWED_ROUTES);
  const raw = express.raw({ type: () => true, limit: BODY_LIMIT });
  const readBody = (req: Request, res: Response): Promise<Buffer | undefined> =>
    new Promise((resolve, reject) => {
      raw(req, res, (error?: unknown) =>
        error
          ? reject(error instanceof Error ? error : new Error('the body could not be read', { cause: error }))
          : resolve(Buffer.isBuffer(req.body) ? req.body : undefined),
      );
    });
  const limiters = {
    reservation: new InflightLimiter(config.maxInflightReservations),
    other: new InflightLimiter(config.maxInflightOther),
  };

  const forward = async (
    service: ServiceName,
    req: Request,
    res: Response,
    pathAndQuery: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
  ) => {
    const limiter = service === 'reservation' ? limiters.reservation : limiters.other;
    const release = limiter.tryAcquire();
    if (!release) {
      logger.warn({ service, limit: limiter.limit }, 'load shed');
      throw tryLater(`Too many requests in flight for ${service}; try again shortly.`, 1);
    }
    let answer;
    try {
      answer = await invoker.forward({
        appId: config.appIds[service],
        method: req.method,
        pathAndQuery,
        headers,
        body,
        timeoutMs: config.upstreamTimeoutMs,
      });
    } catch (error) {
      logger.warn({ service, err: error }, 'service unreachable');
      throw tryLater(`The ${service} service did not answer; try again shortly.`, DAPR_RETRY_AFTER_SECONDS);
    } finally {
      release();
    }
    if (isDaprFailure(answer.status, answer.body)) {
      logger.warn({ service, status: answer.status, body: answer.body.toString('utf8').slice(0, 300) }, 'dapr could not reach the service');
      throw tryLater(`The ${service} service is unavailable; try again shortly.`, DAPR_RETRY_AFTER_SECONDS);
    }
    relay(res, answer);
  };

  return async (req: Request, res: Response, next: NextFunction) => {
    const url = splitUrl(req.originalUrl);
    const match = table.match(req.method, url.path);
    if (match.kind === 'none') return next();
    if (match.kind === 'invalid-id') throw notFound('NOT_FOUND', 'No such resource.');
    const { route } = match;
    labelRoute(res, route.path);
    nameServerSpan(req.method, route.path);

    const auth = await authenticator.authenticate(req.header('authorization'));
    if (auth.kind === 'rejected') logger.info({ reason: auth.reason }, 'credentials refused');
    const principal = auth.kind === 'authenticated' ? auth.principal : undefined;
    const address = clientAddress(req);
    const callerWait = await rateLimits.caller(principal?.userId, address);
    if (callerWait !== undefined) throw rateLimited(callerWait);
    if (refusedByAuthentication(res, auth, route.access === 'protected')) return;

    const body = await readBody(req, res);
    if (route.limit) {
      const routeWait = await rateLimits.route(route.limit, address, body);
      if (routeWait !== undefined) throw rateLimited(routeWait);
    }
    const query = forwardableQuery(url.query);
    const pathAndQuery = query === '' ? match.path : `${match.path}?${query}`;
    await forward(route.service, req, res, pathAndQuery, forwardedHeaders(req.headers, currentContext(), principal), body);
  };
}

/** Before the dashboard's files: a token that is sent must be valid there too (none is needed). */
export function refuseInvalidCredentials(authenticator: Authenticator): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.headers.authorization === undefined) return next();
    if (refusedByAuthentication(res, await authenticator.authenticate(req.headers.authorization), false)) return;
    next();
  };
}
