// The gateway's allow-list (services/gateway/src/routes.ts) as the load-test checks use it: which
// route a call hits, whether it needed a token, and the form the in-memory staycar of the
// stand-ins (k6-stub/staycar.mjs) reads it in.
import { ALLOWED_ROUTES } from '../../services/gateway/src/routes';

/** The allow-list as regular expressions, plus the health probe (answered before it, public). */
const gatewayRoutes = [...ALLOWED_ROUTES, { method: 'GET', path: '/healthz', access: 'public' as const }].map((r) => ({
  method: r.method,
  path: r.path,
  access: r.access,
  re: new RegExp(`^${r.path.replace(/:[a-zA-Z]+/g, '[^/]+')}$`),
}));

/** The allow-listed route of a call to the gateway, or undefined. */
export function routeOf(method: string, pathname: string) {
  return gatewayRoutes.find((r) => r.method === method && r.re.test(pathname));
}

/**
 * Why a call to the gateway lacks the token it needs, or null: a protected route needs
 * `Authorization: Bearer <token>`; public routes (and calls off the allow-list) need none.
 */
export function missingBearer(method: string, pathname: string, authorization: string | null): string | null {
  const route = routeOf(method, pathname);
  if (!route || route.access === 'public') return null;
  if (authorization !== null && /^Bearer \S+$/.test(authorization)) return null;
  return `${method} ${route.path} (protected) sent ${authorization === null ? 'no Authorization header' : `Authorization "${authorization.slice(0, 20)}…"`}`;
}

/** The environment the stand-ins need: the allow-list (method, path, access) for the in-memory staycar. */
export const STUB_ENV = {
  STAYCAR_STUB_ROUTES: JSON.stringify(ALLOWED_ROUTES.map(({ method, path, access }) => ({ method, path, access }))),
};
