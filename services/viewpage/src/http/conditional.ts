import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Caller } from '@staycar/common';

/**
 * Whose answer this is. A view is filtered by owner (a host sees their rooms, an operator all), so
 * the validator of one caller's answer must never match another's, even when the bodies are equal.
 */
export const viewScope = (caller: Caller): string => (caller.operator ? 'operator' : `host:${caller.userId}`);

/** A strong validator of exactly these bytes for this scope (RFC 9110 §8.8.3). */
export function entityTag(scope: string, body: string): string {
  return `"${createHash('sha256').update(scope).update('\0').update(body).digest('base64url').slice(0, 32)}"`;
}

/** RFC 9110 §13.1.2: `*`, or any listed tag equal to `etag` by the weak comparison. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque);
}

/**
 * Answers a caller's private JSON: with an ETag bound to the caller's scope, `Cache-Control:
 * private, no-cache` (a browser may keep it but asks again each time; no shared cache may keep it)
 * and 304 without a body when the client already holds this answer (If-None-Match).
 */
export function sendPrivateJson(req: Request, res: Response, scope: string, value: unknown): void {
  const body = JSON.stringify(value);
  const etag = entityTag(scope, body);
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'private, no-cache');
  res.setHeader('Vary', 'Authorization');
  if (matchesIfNoneMatch(req.header('if-none-match'), etag)) {
    res.status(304).end();
    return;
  }
  res.type('application/json').send(body);
}
