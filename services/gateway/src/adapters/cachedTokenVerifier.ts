import type { TokenVerifier, VerifiedToken } from '../ports';

export interface TokenCacheOptions {
  /** How long one verification is reused at most (and never past the token's `exp`). */
  maxAgeMs: number;
  /** Tokens remembered at most; past it the oldest is forgotten. */
  maxEntries: number;
  now?: () => number;
}

/**
 * Remembers the tokens a verifier accepted, so a client that sends the same token on every call
 * pays the signature check (ES256, the gateway's largest share of CPU on a read) once per
 * `maxAgeMs` instead of once per request. Only acceptances are remembered: a refused or
 * unjudgeable token is checked again every time. A key that leaves the issuer's key set stops
 * being accepted `maxAgeMs` later at most (the key set itself is cached longer: remoteKeySet.ts).
 */
export class CachedTokenVerifier implements TokenVerifier {
  private readonly entries = new Map<string, { token: VerifiedToken; until: number }>();
  private readonly now: () => number;

  constructor(
    private readonly inner: TokenVerifier,
    private readonly options: TokenCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async verify(token: string): Promise<VerifiedToken> {
    const at = this.now();
    const hit = this.entries.get(token);
    if (hit && hit.until > at) return hit.token;
    if (hit) this.entries.delete(token);
    const verified = await this.inner.verify(token);
    if (this.options.maxAgeMs > 0 && verified.expiresAt !== undefined) {
      const until = Math.min(at + this.options.maxAgeMs, verified.expiresAt * 1000);
      if (until > at) this.remember(token, verified, until);
    }
    return verified;
  }

  private remember(token: string, verified: VerifiedToken, until: number): void {
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { token: verified, until });
  }
}
