import type { ServiceName } from '../config';

/**
 * `public`: served without a token (API.md "Identity and ownership"); `protected`: needs a valid
 * bearer token. A token that is sent but invalid is refused on both.
 */
export type Access = 'public' | 'protected';

/** Routes with a stricter rate limit of their own, on top of the caller's. */
export type RouteLimit = 'authToken' | 'authSignup';

export interface AllowedRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path template, the same on the service; each `:name` segment must be a client id (API.md). */
  path: string;
  service: ServiceName;
  access: Access;
  limit?: RouteLimit;
}

/**
 * The allow-list: every route of API.md and the service that answers it. Nothing else is
 * forwarded (never the sidecar's /v1.0 API, never a service's /internal routes).
 */
export const ALLOWED_ROUTES: readonly AllowedRoute[] = [
  { method: 'POST', path: '/auth/signup', service: 'identity', access: 'public', limit: 'authSignup' },
  { method: 'POST', path: '/auth/token', service: 'identity', access: 'public', limit: 'authToken' },
  { method: 'GET', path: '/auth/jwks.json', service: 'identity', access: 'public' },

  { method: 'POST', path: '/rooms', service: 'room', access: 'protected' },
  { method: 'GET', path: '/rooms', service: 'viewpage', access: 'public' },
  { method: 'GET', path: '/rooms/:id', service: 'room', access: 'public' },
  { method: 'PATCH', path: '/rooms/:id', service: 'room', access: 'protected' },
  { method: 'DELETE', path: '/rooms/:id', service: 'room', access: 'protected' },
  { method: 'GET', path: '/rooms/:id/availability', service: 'room', access: 'public' },
  { method: 'POST', path: '/rooms/:id/reviews', service: 'room', access: 'protected' },
  { method: 'GET', path: '/rooms/:id/reviews', service: 'room', access: 'public' },

  { method: 'POST', path: '/rentcars', service: 'rentcar', access: 'protected' },
  { method: 'GET', path: '/rentcars', service: 'viewpage', access: 'public' },
  { method: 'GET', path: '/rentcars/:id', service: 'rentcar', access: 'public' },
  { method: 'PATCH', path: '/rentcars/:id', service: 'rentcar', access: 'protected' },
  { method: 'DELETE', path: '/rentcars/:id', service: 'rentcar', access: 'protected' },
  { method: 'GET', path: '/rentcars/:id/availability', service: 'rentcar', access: 'public' },

  { method: 'POST', path: '/reservations', service: 'reservation', access: 'protected' },
  { method: 'GET', path: '/reservations', service: 'reservation', access: 'protected' },
  { method: 'GET', path: '/reservations/:id', service: 'reservation', access: 'protected' },
  { method: 'POST', path: '/reservations/:id/cancel', service: 'reservation', access: 'protected' },
  { method: 'GET', path: '/reservations/:id/cancellation', service: 'reservation', access: 'protected' },

  { method: 'GET', path: '/payments', service: 'payment', access: 'protected' },
  { method: 'GET', path: '/payments/:id', service: 'payment', access: 'protected' },

  { method: 'GET', path: '/messages', service: 'message', access: 'protected' },

  { method: 'GET', path: '/search/rooms', service: 'viewpage', access: 'public' },

  { method: 'GET', path: '/roomviews', service: 'viewpage', access: 'protected' },
  { method: 'GET', path: '/roomviews/:id', service: 'viewpage', access: 'protected' },
];
