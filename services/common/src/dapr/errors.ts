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

interface SdkHttpError {
  error?: string;
  error_msg?: string;
  status?: number;
}

/** The JS SDK throws (or returns) `Error(JSON.stringify({error, error_msg, status}))`; unpack it. */
export function unpackSdkError(error: unknown): { status?: number; body: unknown; raw: string } {
  const raw = error instanceof Error ? error.message : String(error);
  try {
    const parsed = JSON.parse(raw) as SdkHttpError;
    let body: unknown = parsed.error_msg;
    if (typeof parsed.error_msg === 'string') {
      try {
        body = JSON.parse(parsed.error_msg);
      } catch {
        body = parsed.error_msg;
      }
    }
    return { status: parsed.status, body, raw };
  } catch {
    return { status: undefined, body: raw, raw };
  }
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
