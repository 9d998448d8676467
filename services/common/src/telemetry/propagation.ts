import { context, propagation } from '@opentelemetry/api';
import { currentContext } from '../requestContext';

/**
 * The trace context of what runs now, as W3C headers: the active span's when the SDK is loaded
 * (register.ts), else the one the request came with (RequestContext), else none. Without the SDK
 * the API's propagator is a no-op and injects nothing.
 */
export function currentTraceHeaders(): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const traceparent = carrier.traceparent ?? currentContext()?.traceparent;
  if (traceparent === undefined) return {};
  const tracestate = carrier.traceparent ? carrier.tracestate : currentContext()?.tracestate;
  return tracestate ? { traceparent, tracestate } : { traceparent };
}
