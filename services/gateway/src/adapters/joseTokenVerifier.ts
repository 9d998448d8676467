import { jwtVerify, type JWTVerifyGetKey } from 'jose';
import { isPathId } from '../http/forwarding/clientId';
import { InvalidTokenError, KeySetUnavailableError, type TokenVerifier, type VerifiedToken } from '../ports';

export interface TokenRules {
  issuer: string;
  audience: string;
  /** Asymmetric algorithms only (config.ts refuses others). */
  algorithms: readonly string[];
  clockToleranceSeconds: number;
}

function reasonOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return [code, message].filter((part) => typeof part === 'string').join(': ') || 'invalid token';
  }
  return String(error);
}

/**
 * JWT access tokens checked with jose against a key set: the issuer's JWKS in production
 * (remoteKeySet.ts), a local one in tests. `exp` and `sub` are required; `nbf` is checked when present.
 */
export class JoseTokenVerifier implements TokenVerifier {
  constructor(
    private readonly keys: JWTVerifyGetKey,
    private readonly rules: TokenRules,
  ) {}

  async verify(token: string): Promise<VerifiedToken> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.rules.issuer,
        audience: this.rules.audience,
        algorithms: [...this.rules.algorithms],
        clockTolerance: this.rules.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      if (error instanceof KeySetUnavailableError) throw error;
      throw new InvalidTokenError(reasonOf(error));
    }
    // Services read the user id with the same rule (common/identity.ts); one they would drop is refused here.
    if (typeof payload.sub !== 'string' || !isPathId(payload.sub)) throw new InvalidTokenError('sub is not a valid user id');
    const username = payload.preferred_username;
    return {
      subject: payload.sub,
      ...(typeof username === 'string' ? { username } : {}),
      ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp } : {}),
    };
  }
}
