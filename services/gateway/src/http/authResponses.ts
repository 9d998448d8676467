import type { Response } from 'express';
import { ApiError, tryLater, unauthenticated } from '@staycar/common';
import type { Authentication } from '../auth/authenticator';

/**
 * 401 UNAUTHENTICATED with its RFC 6750 challenge: `Bearer` when no token came, plus
 * `error="invalid_token"` when one did. Which check failed is logged, never told to the client.
 */
export function unauthenticatedAnswer(res: Response, tokenGiven: boolean): ApiError {
  res.setHeader('WWW-Authenticate', tokenGiven ? 'Bearer error="invalid_token"' : 'Bearer');
  return tokenGiven
    ? unauthenticated('The bearer token is not valid: malformed, wrongly signed, expired, or not issued for this API.')
    : unauthenticated();
}

/** The error for an authentication outcome that stops the request, or undefined when it may go on. */
export function authenticationFailure(res: Response, auth: Authentication, requireUser: boolean): ApiError | undefined {
  switch (auth.kind) {
    case 'authenticated':
      return undefined;
    case 'anonymous':
      return requireUser ? unauthenticatedAnswer(res, false) : undefined;
    case 'rejected':
      return unauthenticatedAnswer(res, auth.tokenGiven);
    case 'unavailable':
      return tryLater('Sign-in cannot be checked right now; try again shortly.', 2);
  }
}

export const rateLimited = (retryAfterSeconds: number): ApiError =>
  new ApiError(429, 'RATE_LIMITED', 'Too many requests; try again later.', [], retryAfterSeconds);
