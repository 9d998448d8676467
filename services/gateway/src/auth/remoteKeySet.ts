import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  jwksCache,
  type ExportedJWKSCache,
  type FetchImplementation,
  type JWKSCacheInput,
  type JWTVerifyGetKey,
} from 'jose';
import type { Logger } from '@staycar/common';
import { KeySetUnavailableError } from './tokenVerifier';

export interface RemoteKeySetOptions {
  /** Sent with every JWKS request (`dapr-api-token` when the URL is our own sidecar). */
  headers: Record<string, string>;
  timeoutMs: number;
  /** After a fetch, an unknown `kid` triggers another fetch only once this has passed (jose). */
  cooldownMs: number;
  /** Keys older than this are refetched before use (jose). */
  cacheMaxAgeMs: number;
  /** While refetching fails, the last keys stay in use until they are this old. */
  staleIfErrorMs: number;
  /** No new fetch this soon after a failed one: requests answer at once instead of each waiting for a timeout. */
  failureBackoffMs?: number;
  logger: Logger;
  /** Replaces fetch (tests). */
  fetch?: FetchImplementation;
}

/** Failures that are the token's (no key with its kid, an algorithm the keys cannot do), not the key set's. */
function isAboutTheToken(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSENotSupported
  );
}

function hasKeys(cache: JWKSCacheInput): cache is ExportedJWKSCache {
  return typeof cache.uat === 'number' && cache.jwks !== undefined;
}

/**
 * The issuer's JWKS, fetched with jose's createRemoteJWKSet (cached; refetched when older than
 * cacheMaxAge or, after the cooldown, when a token names an unknown `kid`). A failed fetch becomes
 * KeySetUnavailableError (503), never a 401; while the issuer is down, the last keys fetched keep
 * verifying tokens for `staleIfErrorMs`, so signed-in users are not locked out by an identity outage.
 */
export function createRemoteKeySet(url: URL, options: RemoteKeySetOptions): JWTVerifyGetKey {
  const cache: JWKSCacheInput = {};
  const remote = createRemoteJWKSet(url, {
    headers: options.headers,
    timeoutDuration: options.timeoutMs,
    cooldownDuration: options.cooldownMs,
    cacheMaxAge: options.cacheMaxAgeMs,
    [jwksCache]: cache,
    ...(options.fetch ? { [customFetch]: options.fetch } : {}),
  });
  const failureBackoffMs = options.failureBackoffMs ?? 1000;
  let lastFailureAt = Number.NEGATIVE_INFINITY;
  let stale: { uat: number; keys: JWTVerifyGetKey } | undefined;

  const staleKeys = (): JWTVerifyGetKey | undefined => {
    if (!hasKeys(cache) || Date.now() - cache.uat > options.staleIfErrorMs) return undefined;
    if (stale?.uat !== cache.uat) stale = { uat: cache.uat, keys: createLocalJWKSet(cache.jwks) };
    return stale.keys;
  };

  const fromStale: JWTVerifyGetKey = async (header, token) => {
    const keys = staleKeys();
    if (!keys) throw new KeySetUnavailableError(`The token issuer's keys (${url.href}) could not be loaded.`);
    try {
      return await keys(header, token);
    } catch (error) {
      // An unknown kid may be a key published since the last fetch: we cannot tell while the issuer is down.
      if (error instanceof errors.JWKSNoMatchingKey)
        throw new KeySetUnavailableError('No known key for this token while the issuer is down.');
      throw error;
    }
  };

  return async (header, token) => {
    if (!remote.fresh && Date.now() - lastFailureAt < failureBackoffMs) return fromStale(header, token);
    try {
      return await remote(header, token);
    } catch (error) {
      if (isAboutTheToken(error)) throw error;
      lastFailureAt = Date.now();
      options.logger.warn({ url: url.href, err: error }, 'token issuer keys could not be fetched');
      return fromStale(header, token);
    }
  };
}
