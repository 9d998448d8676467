import type { ServiceName } from './config';

/**
 * The allow-list: every public route of API.md and the service that answers it. Nothing else is
 * forwarded (never the sidecar's /v1.0 API). Paths are the same on the service.
 */
export interface PublicRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  service: ServiceName;
}

export const PUBLIC_ROUTES: PublicRoute[] = [
  { method: 'POST', path: '/rooms', service: 'room' },
  { method: 'GET', path: '/rooms', service: 'viewpage' },
  { method: 'GET', path: '/rooms/:id', service: 'room' },
  { method: 'PATCH', path: '/rooms/:id', service: 'room' },
  { method: 'DELETE', path: '/rooms/:id', service: 'room' },
  { method: 'GET', path: '/rooms/:id/availability', service: 'room' },
  { method: 'POST', path: '/rooms/:id/reviews', service: 'room' },
  { method: 'GET', path: '/rooms/:id/reviews', service: 'room' },

  { method: 'POST', path: '/rentcars', service: 'rentcar' },
  { method: 'GET', path: '/rentcars', service: 'viewpage' },
  { method: 'GET', path: '/rentcars/:id', service: 'rentcar' },
  { method: 'PATCH', path: '/rentcars/:id', service: 'rentcar' },
  { method: 'DELETE', path: '/rentcars/:id', service: 'rentcar' },
  { method: 'GET', path: '/rentcars/:id/availability', service: 'rentcar' },

  { method: 'POST', path: '/reservations', service: 'reservation' },
  { method: 'GET', path: '/reservations', service: 'reservation' },
  { method: 'GET', path: '/reservations/:id', service: 'reservation' },
  { method: 'POST', path: '/reservations/:id/cancel', service: 'reservation' },

  { method: 'GET', path: '/payments', service: 'payment' },
  { method: 'GET', path: '/payments/:id', service: 'payment' },

  { method: 'GET', path: '/messages', service: 'message' },

  { method: 'GET', path: '/roomviews', service: 'viewpage' },
  { method: 'GET', path: '/roomviews/:id', service: 'viewpage' },
];
