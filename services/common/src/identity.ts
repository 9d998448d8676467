import type { Request } from 'express';
import { ApiError, notFound } from './errors';

/**
 * The verified caller, as the gateway forwards it (API.md v2, "Identity and ownership"). The gateway
 * verifies the bearer token, strips these headers from every incoming request and sets them from the
 * token only; the Authorization header itself never travels past the gateway.
 */
export const IDENTITY_HEADERS = {
  /** The caller's user id (the token's `sub`). */
  userId: 'x-staycar-user-id',
  /** "true" when the caller's username is in the gateway's ADMIN_USERNAMES. */
  operator: 'x-staycar-operator',
} as const;

export interface Caller {
  userId: string;
  operator: boolean;
}

const USER_ID = /^[A-Za-z0-9_.:@-]{1,100}$/;

/** The caller of this request, or undefined when none was forwarded (a public route, or an internal call). */
export function callerOf(req: Pick<Request, 'header'>): Caller | undefined {
  const userId = req.header(IDENTITY_HEADERS.userId);
  if (userId === undefined || !USER_ID.test(userId)) return undefined;
  return { userId, operator: req.header(IDENTITY_HEADERS.operator) === 'true' };
}

export const unauthenticated = (message = 'Sign in first: this call needs a bearer token.'): ApiError =>
  new ApiError(401, 'UNAUTHENTICATED', message);

export const forbidden = (message = 'Only the owner may do this.'): ApiError => new ApiError(403, 'FORBIDDEN', message);

/** The caller, or 401 when the request carries none (defence in depth behind the gateway). */
export function requireCaller(req: Pick<Request, 'header'>): Caller {
  const caller = callerOf(req);
  if (!caller) throw unauthenticated();
  return caller;
}

/**
 * `hostId`/`guestId`/`recipientId` given by the client: may be left out (then the caller), any other
 * value is 403 (API.md: "The caller is the subject").
 */
export function subjectOf(caller: Caller, given: string | undefined, field: string): string {
  if (given === undefined || given === caller.userId) return caller.userId;
  throw forbidden(`${field} must be your own user id (or left out).`);
}

/** Things only their owner (or, for reads, an operator) may see answer 404 to everybody else. */
export function assertOwnerOrHidden(caller: Caller, ownerId: string, { operatorMaySee = true } = {}): void {
  if (caller.userId === ownerId) return;
  if (operatorMaySee && caller.operator) return;
  throw notFound('NOT_FOUND', 'No such resource.');
}
