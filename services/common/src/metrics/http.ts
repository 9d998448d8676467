import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { counter, histogram } from './registry';

/** The route label of a request no route answered (404s, the dashboard's files, a body that failed to parse). */
export const UNMATCHED_ROUTE = 'unmatched';

const ROUTE_LOCAL = 'staycarRouteTemplate';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

const requests = counter('staycar_http_requests_total', 'HTTP requests answered, by method, route template and status.', [
  'method',
  'route',
  'status',
]);
const duration = histogram(
  'staycar_http_request_duration_seconds',
  'Time to answer an HTTP request, by method, route template and status.',
  ['method', 'route', 'status'],
);

/**
 * Names the route template of a request that code other than an Express route answers (the
 * gateway's allow-list matches paths itself): `/rooms/:id`, never the path with its id.
 */
export function labelRoute(res: Response, template: string): void {
  (res.locals as Record<string, unknown>)[ROUTE_LOCAL] = template;
}

/**
 * The template a request was answered by: one set with `labelRoute`, else the Express route that
 * matched (`req.route.path`, after the base path of the router it is mounted on — routers are
 * mounted at fixed paths here), else `unmatched`. Never the request's own path: ids stay out.
 */
export function routeTemplateOf(req: Request, res: Response): string {
  const labelled = (res.locals as Record<string, unknown>)[ROUTE_LOCAL];
  if (typeof labelled === 'string') return labelled;
  const route: unknown = (req as { route?: unknown }).route;
  const path: unknown = typeof route === 'object' && route !== null ? (route as { path?: unknown }).path : undefined;
  if (typeof path !== 'string') return UNMATCHED_ROUTE;
  return `${req.baseUrl}${path}` || '/';
}

/** Counts and times every request by method, route template and status (first middleware of an app). */
export function httpMetrics(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const labels = {
        method: METHODS.has(req.method) ? req.method : 'other',
        route: routeTemplateOf(req, res),
        status: String(res.statusCode),
      };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
