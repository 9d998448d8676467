import type { Response } from 'express';
import { ApiError, tryLater, unauthenticated } from '@staycar/common';
import type { Authentication } from '../auth/authenticator';

/**
 * 401 UNAUTHENTICATED with its RFC 6750 challenge: `Bearer` when no token came, plus
 * `error="invalid_token"` when one did. Which check failed is logged, never told to the client.
 * Answered here rather than thrown, so the challenge does not depend on how the shared error handler treats 401s.
 */
export function answerUnauthenticated(res: Response, tokenGiven: boolean): void {
  const error = ApiError.of(
    tokenGiven
      ? unauthenticated('The bearer token is not valid: malformed, wrongly signed, expired, or not issued for this API.')
      : unauthenticated(),
  );
  res.setHeader('WWW-Authenticate', tokenGiven ? 'Bearer error="invalid_token"' : 'Bearer');
  res.status(error.status).json(error.toBody());
}

/**
 * Ends the request when its authentication does not let it through: answers 401 (and returns
 * true), or throws 503 when the issuer's keys could not be loaded. False: go on.
 */
export function refusedByAuthentication(res: Response, auth: Authentication, requireUser: boolean): boolean {
  switch (auth.kind) {
    case 'authenticated':
      return false;
    case 'anonymous':
      if (!requireUser) return false;
      answerUnauthenticated(res, false);
      return true;
    case 'rejected':
      answerUnauthenticated(res, auth.tokenGiven);
      return true;
    case 'unavailable':
      throw tryLater('Sign-in cannot be checked right now; try again shortly.', 2);
  }
}

export const rateLimited = (retryAfterSeconds: number): ApiError =>
  new ApiError(429, 'RATE_LIMITED', 'Too many requests; try again later.', [], retryAfterSeconds);
