import { trace } from '@opentelemetry/api';

/**
 * Names the request's server span by its route template (`POST /reservations/:id`) where no
 * express route matched — the gateway's allow-list is one handler for every route, so the express
 * instrumentation cannot know the template. Without the SDK there is no active span: nothing happens.
 */
export function nameServerSpan(method: string, routeTemplate: string): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.setAttribute('http.route', routeTemplate);
  span.updateName(`${method} ${routeTemplate}`);
}
