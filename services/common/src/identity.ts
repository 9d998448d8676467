import type { Request } from 'express';
import { forbidden, notFound, unauthenticated } from './errors';

export { forbidden, unauthenticated };

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

/**
 * `?guestId=`/`?recipientId=` of a read: may be left out (then the caller); another user's id is 403,
 * except for an operator, who may read anyone's (API.md, "Operators").
 */
export function readSubjectOf(caller: Caller, given: string | undefined, field: string): string {
  if (given === undefined || given === caller.userId) return caller.userId;
  if (caller.operator) return given;
  throw forbidden(`${field} must be your own user id (or left out).`);
}

/** May the caller read what `ownerId` owns? Its owner, or an operator (who reads everything). */
export const mayRead = (caller: Caller, ownerId: string): boolean => caller.userId === ownerId || caller.operator;

/** Changes of what everybody may see (a room, a car): only its owner; anyone else, operators too, 403. */
export function assertOwner(caller: Caller, ownerId: string, message = 'Only the owner may do this.'): void {
  if (caller.userId !== ownerId) throw forbidden(message);
}

/** Things only their owner (or, for reads, an operator) may see answer 404 to everybody else. */
export function assertOwnerOrHidden(
  caller: Caller,
  ownerId: string,
  { operatorMaySee = true, message = 'No such resource.' }: { operatorMaySee?: boolean; message?: string } = {},
): void {
  if (caller.userId === ownerId) return;
  if (operatorMaySee && caller.operator) return;
  throw notFound('NOT_FOUND', message);
}

/**
 * Acting on something hidden from others (cancelling a reservation): its owner acts; an operator, who
 * may see it, gets 403 (operators act as nobody else); to anyone else it does not exist (404).
 */
export function assertOwnerActs(caller: Caller, ownerId: string, { message = 'No such resource.' }: { message?: string } = {}): void {
  if (caller.userId === ownerId) return;
  if (caller.operator) throw forbidden('Operators may read this, but only its owner may change it.');
  throw notFound('NOT_FOUND', message);
}
