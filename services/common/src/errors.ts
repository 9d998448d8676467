/** The one error shape every service answers with (API.md, "Error body"). */
export interface ErrorDetail {
  field: string;
  reason: string;
}

export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

/**
 * What kind of refusal or failure a use case ends in. Use cases and domain code throw
 * `DomainError`s of a kind; only the HTTP edge (`toApiError`) turns a kind into a status.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'declined'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported'
  | 'unavailable'
  | 'internal';

export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  declined: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  unavailable: 503,
  internal: 500,
};

/** The kind a status stands for (a callee's refusal passed on by an adapter); unknown 4xx → invalid. */
export function kindOfStatus(status: number): ErrorKind {
  const found = (Object.entries(STATUS_OF_KIND) as [ErrorKind, number][]).find(([, s]) => s === status);
  if (found) return found[0];
  return status >= 500 ? 'internal' : 'invalid';
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Seconds for the Retry-After header (unavailable only). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  /** A refusal of the caller's request (4xx), as opposed to a failure on our side. */
  get isRefusal(): boolean {
    const status = STATUS_OF_KIND[this.kind];
    return status >= 400 && status < 500;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** A DomainError as the HTTP edge answers it: the error model's status, code, message, details. */
export class ApiError extends DomainError {
  readonly status: number;

  constructor(status: number, code: string, message: string, details: ErrorDetail[] = [], retryAfterSeconds?: number) {
    super(kindOfStatus(status), code, message, details, retryAfterSeconds);
    this.status = status;
    this.name = 'ApiError';
  }

  static of(error: DomainError): ApiError {
    if (error instanceof ApiError) return error;
    return new ApiError(STATUS_OF_KIND[error.kind], error.code, error.message, error.details, error.retryAfterSeconds);
  }
}

export const notFound = (code = 'NOT_FOUND', message = 'No such resource.'): DomainError => new DomainError('not_found', code, message);

export const conflict = (code: string, message: string): DomainError => new DomainError('conflict', code, message);

export const forbidden = (message = 'Only the owner may do this.', code = 'FORBIDDEN'): DomainError =>
  new DomainError('forbidden', code, message);

export const unauthenticated = (message = 'Sign in first: this call needs a bearer token.'): DomainError =>
  new DomainError('unauthenticated', 'UNAUTHENTICATED', message);

export const validationFailed = (details: ErrorDetail[], message = 'The request is not valid.'): DomainError =>
  new DomainError('invalid', 'VALIDATION_FAILED', message, details);

export const malformedJson = (): DomainError => new DomainError('invalid', 'MALFORMED_JSON', 'The body is not valid JSON.');

export const payloadTooLarge = (limit: string): DomainError =>
  new DomainError('too_large', 'PAYLOAD_TOO_LARGE', `The body is larger than ${limit}.`);

export const tryLater = (message = 'The service is busy or a dependency is down; try again shortly.', retryAfterSeconds = 2): DomainError =>
  new DomainError('unavailable', 'TRY_LATER', message, [], retryAfterSeconds);

export const internal = (): DomainError => new DomainError('internal', 'INTERNAL', 'Something went wrong on our side.');

/** True when `body` already has the API error shape (used to pass a callee's error on unchanged). */
export function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = body.error;
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}
