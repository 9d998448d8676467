import type { IncomingHttpHeaders } from 'node:http';
import { IDENTITY_HEADERS, type RequestContext } from '@staycar/common';
import type { Principal } from '../../app/authenticator';
import { validTraceHeaders } from './traceContext';

/**
 * Client headers a service may see. Everything else stays at the gateway: `authorization` (the
 * gateway consumed it; Basic `dapr-app-id:x` would even re-route the call inside daprd), `dapr-*`,
 * `cookie`, hop-by-hop headers, and any `x-staycar-*` the client made up. `if-none-match` lets a
 * service answer 304 to a client that already holds its answer (viewpage's /roomviews).
 */
const CLIENT_HEADERS = ['content-type', 'accept', 'idempotency-key', 'if-none-match'] as const;

/**
 * The request headers sent to a service: the allow-listed client headers, the request id and trace
 * context as validated (the request context holds them), and the identity the gateway verified.
 */
export function forwardedHeaders(
  incoming: IncomingHttpHeaders,
  context: RequestContext | undefined,
  principal: Principal | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of CLIENT_HEADERS) {
    const value = incoming[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return { ...headers, ...contextHeaders(context), ...identityHeaders(principal) };
}

/** Request id and trace context, for every call the gateway makes (also health probes). */
export function contextHeaders(context: RequestContext | undefined): Record<string, string> {
  if (!context) return {};
  // Checked again here although the edge already dropped invalid ones: this is the last door.
  return { 'x-request-id': context.requestId, ...validTraceHeaders(context.traceparent, context.tracestate) };
}

function identityHeaders(principal: Principal | undefined): Record<string, string> {
  if (!principal) return {};
  return { [IDENTITY_HEADERS.userId]: principal.userId, [IDENTITY_HEADERS.operator]: String(principal.operator) };
}
