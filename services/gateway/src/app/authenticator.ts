import { InvalidTokenError, KeySetUnavailableError, type TokenVerifier } from '../ports';

/** The verified caller, as the gateway forwards it (common/identity.ts). */
export interface Principal {
  userId: string;
  operator: boolean;
}

export type Authentication =
  | { kind: 'anonymous' }
  | { kind: 'authenticated'; principal: Principal }
  /** Credentials were sent but are not acceptable: 401 on every route. `tokenGiven`: a Bearer token was there. */
  | { kind: 'rejected'; tokenGiven: boolean; reason: string }
  /** The issuer's keys could not be loaded: 503, the client may try again. */
  | { kind: 'unavailable'; reason: string };

// RFC 6750 §2.1: "Bearer" 1*SP b64token
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** Turns the Authorization header into who is calling. */
export class Authenticator {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly adminUsernames: ReadonlySet<string>,
  ) {}

  async authenticate(authorization: string | undefined): Promise<Authentication> {
    if (authorization === undefined) return { kind: 'anonymous' };
    if (!/^Bearer(\s|$)/i.test(authorization)) {
      return { kind: 'rejected', tokenGiven: false, reason: 'only Bearer tokens are accepted' };
    }
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) return { kind: 'rejected', tokenGiven: true, reason: 'malformed bearer token' };
    try {
      const verified = await this.verifier.verify(token);
      const operator = verified.username !== undefined && this.adminUsernames.has(verified.username);
      return { kind: 'authenticated', principal: { userId: verified.subject, operator } };
    } catch (error) {
      if (error instanceof KeySetUnavailableError) return { kind: 'unavailable', reason: error.message };
      if (error instanceof InvalidTokenError) return { kind: 'rejected', tokenGiven: true, reason: error.message };
      throw error;
    }
  }
}
