import { AsyncLocalStorage } from 'node:async_hooks';

/** What a request carries through every hop: its id and the W3C trace context. */
export interface RequestContext {
  requestId: string;
  traceparent?: string;
  tracestate?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const runWithContext = <T>(context: RequestContext, fn: () => T): T => storage.run(context, fn);
export const currentContext = (): RequestContext | undefined => storage.getStore();

/** Headers to forward on an outgoing call so the callee logs the same request and trace. */
export function propagationHeaders(): Record<string, string> {
  const context = storage.getStore();
  if (!context) return {};
  const headers: Record<string, string> = { 'x-request-id': context.requestId };
  if (context.traceparent) headers.traceparent = context.traceparent;
  if (context.tracestate) headers.tracestate = context.tracestate;
  return headers;
}

export const traceIdOf = (traceparent: string | undefined): string | undefined =>
  /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent ?? '')?.[1];
