/** Typed failures of the sidecar, so callers never parse SDK strings themselves. */
export class DaprError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'DaprError';
  }
}

/** A first-write save or transaction lost the race (ETag mismatch): re-read and retry. */
export class EtagConflictError extends DaprError {
  override name = 'EtagConflictError';
}

/** The callee answered with a status outside 2xx; `body` is its answer, parsed when JSON. */
export class InvocationError extends DaprError {
  override name = 'InvocationError';
}

/** The callee could not be reached in time: breaker open, deadline exceeded, no sidecar or app. */
export class DependencyUnavailableError extends DaprError {
  override name = 'DependencyUnavailableError';
}

/**
 * A sidecar's non-2xx answer as `{status, body, raw}`: `body` parsed when JSON, `raw` the one-line
 * summary the error messages carry (`{"error":<reason>,"error_msg":<body>,"status":<status>}`, the
 * shape `@dapr/dapr` used to throw, so log lines and messages read as before).
 */
export function answerFailure(status: number, statusText: string, text: string): { status: number; body: unknown; raw: string } {
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // Dapr's own errors are JSON; a callee may answer anything.
  }
  return { status, body, raw: JSON.stringify({ error: statusText, error_msg: text, status }) };
}

const UNAVAILABLE_PATTERNS = [
  'circuit breaker is open',
  'context deadline exceeded',
  'too many requests',
  'connection refused',
  'no such host',
  'failed to invoke',
  'error finding address',
  'ECONNREFUSED',
  'ECONNRESET',
  'socket hang up',
];

/** Dapr's own invocation errors (not the callee's) mean: try again later. */
export function isUnavailable(status: number | undefined, body: unknown): boolean {
  if (status === undefined) return true;
  if (status === 503 || status === 504 || status === 429) return true;
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  const fromDapr = typeof body === 'object' && body !== null && 'errorCode' in body;
  return (fromDapr || status >= 500) && UNAVAILABLE_PATTERNS.some((p) => text.includes(p));
}
