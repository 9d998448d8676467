import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { validTraceHeaders } from './forwarding/traceContext';

const IDENTITY_HEADER_PREFIX = 'x-staycar-';

/**
 * Cleans what a client sent before anything reads it: identity headers are the gateway's to set,
 * so any the client sent are removed; an invalid traceparent/tracestate is removed too. The shared
 * HTTP skeleton puts the trace headers into the request context (from where calls propagate them)
 * and echoes traceparent, so dropping them here is what keeps an invalid value out of every hop.
 */
export function sanitizeIncomingHeaders(req: Request, _res: Response, next: NextFunction): void {
  for (const name of Object.keys(req.headers)) {
    if (name.startsWith(IDENTITY_HEADER_PREFIX)) delete req.headers[name];
  }
  const traceparent = req.headers.traceparent;
  const tracestate = req.headers.tracestate;
  const valid = validTraceHeaders(
    typeof traceparent === 'string' ? traceparent : undefined,
    typeof tracestate === 'string' ? tracestate : undefined,
  );
  if (valid.traceparent === undefined) delete req.headers.traceparent;
  if (valid.tracestate === undefined) delete req.headers.tracestate;
  next();
}

/** Puts the header clean-up in front of the gateway app (the shared skeleton's first middleware reads them). */
export function behindEdge(app: Express): Express {
  const edge = express();
  edge.disable('x-powered-by');
  edge.set('etag', false);
  edge.use(sanitizeIncomingHeaders);
  edge.use(app);
  return edge;
}
