import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { DaprError, tryLater, type Logger } from '@staycar/common';
import type { PublicUser } from './domain/user';
import { parseSigningKeys, publicJwkOf, SigningKeysError, type PublicSigningJwk } from './domain/signingKeys';
import type { SigningKeySource } from './ports';

export const SIGNING_ALG = 'ES256';

export interface KeyRing {
  signer: { kid: string; key: CryptoKey };
  jwks: { keys: PublicSigningJwk[] };
}

/**
 * The signing keys, read from their source once and kept in memory. A read that fails is not
 * kept: the next call (after `retryDelayMs`, so a missing secret does not turn every request
 * into a secret read) reads again.
 */
export class SigningKeyRing {
  private loading?: Promise<KeyRing>;

  constructor(
    private readonly source: SigningKeySource,
    private readonly logger: Logger,
    private readonly retryDelayMs = 1000,
  ) {}

  current(): Promise<KeyRing> {
    this.loading ??= this.load().catch((error: unknown) => {
      // Dapr's error body names the store and secret, never a value; our own messages hold no key material.
      const dapr = error instanceof DaprError ? { status: error.status, answer: error.body } : {};
      this.logger.error(
        { reason: (error as Error).message, ...dapr },
        'token signing keys unavailable: check the secret store and its signing keys secret (services/identity/README.md)',
      );
      setTimeout(() => (this.loading = undefined), this.retryDelayMs).unref();
      throw error;
    });
    return this.loading;
  }

  private async load(): Promise<KeyRing> {
    const keys = parseSigningKeys(await this.source.read());
    const signer = await importJWK(keys[0] as JWK, SIGNING_ALG).catch(() => {
      throw new SigningKeysError(`The newest signing key (kid ${keys[0].kid}) cannot be imported as an ES256 private key.`);
    });
    if (signer instanceof Uint8Array) throw new SigningKeysError('The newest signing key is not an EC key.');
    const ring = { signer: { kid: keys[0].kid, key: signer }, jwks: { keys: keys.map(publicJwkOf) } };
    this.logger.info({ signingKid: ring.signer.kid, published: ring.jwks.keys.map((k) => k.kid) }, 'token signing keys loaded');
    return ring;
  }
}

export interface TokenOptions {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface AccessToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** Signed JWT access tokens (jose, ES256) and the public keys that verify them. */
export class TokenIssuer {
  constructor(
    private readonly keys: SigningKeyRing,
    private readonly options: TokenOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The keys, or 503 TRY_LATER while they cannot be read (the ring has logged why). */
  private async ring(): Promise<KeyRing> {
    try {
      return await this.keys.current();
    } catch {
      throw tryLater('Tokens cannot be issued right now; try again shortly.');
    }
  }

  async issue(user: PublicUser): Promise<AccessToken> {
    const { signer } = await this.ring();
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const accessToken = await new SignJWT({ preferred_username: user.username, name: user.displayName })
      .setProtectedHeader({ alg: SIGNING_ALG, typ: 'JWT', kid: signer.kid })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setSubject(user.userId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.options.ttlSeconds)
      .setJti(randomUUID())
      .sign(signer.key);
    return { accessToken, tokenType: 'Bearer', expiresIn: this.options.ttlSeconds };
  }

  async jwks(): Promise<{ keys: PublicSigningJwk[] }> {
    return (await this.ring()).jwks;
  }
}
