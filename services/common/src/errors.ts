/** The one error shape every service answers with (API.md, "Error body"). */
export interface ErrorDetail {
  field: string;
  reason: string;
}

export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Seconds for the Retry-After header (503 only). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export const notFound = (code = 'NOT_FOUND', message = 'No such resource.'): ApiError =>
  new ApiError(404, code, message);

export const conflict = (code: string, message: string): ApiError => new ApiError(409, code, message);

export const validationFailed = (details: ErrorDetail[], message = 'The request is not valid.'): ApiError =>
  new ApiError(400, 'VALIDATION_FAILED', message, details);

export const malformedJson = (): ApiError => new ApiError(400, 'MALFORMED_JSON', 'The body is not valid JSON.');

export const payloadTooLarge = (limit: string): ApiError =>
  new ApiError(413, 'PAYLOAD_TOO_LARGE', `The body is larger than ${limit}.`);

export const tryLater = (message = 'The service is busy or a dependency is down; try again shortly.', retryAfterSeconds = 2): ApiError =>
  new ApiError(503, 'TRY_LATER', message, [], retryAfterSeconds);

export const internal = (): ApiError => new ApiError(500, 'INTERNAL', 'Something went wrong on our side.');

/** True when `body` already has the API error shape (used to pass a callee's error on unchanged). */
export function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}
