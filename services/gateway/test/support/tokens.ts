import { createHmac } from 'node:crypto';
import {
  createLocalJWKSet,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';

export const ISSUER = 'staycar-identity';
export const AUDIENCE = 'staycar';

const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

export interface TestIssuer {
  jwks: JSONWebKeySet;
  keys: ReturnType<typeof createLocalJWKSet>;
  /** A token as staycar's issuer makes it: ES256, kid k1, iss/aud/sub/exp, preferred_username. */
  token(
    claims?: JWTPayload & { preferred_username?: string },
    options?: { alg?: string; kid?: string; key?: CryptoKey; /** null: no `exp` at all */ expiresIn?: number | string | null },
  ): Promise<string>;
  publicKeyPem: string;
  publicJwkJson: string;
  /** A key pair that is not in the issuer's JWKS (the attacker's own). */
  otherKey: CryptoKey;
  rsaKey: CryptoKey;
  edKey: CryptoKey;
}

export async function createTestIssuer(): Promise<TestIssuer> {
  const es = await generateKeyPair('ES256', { extractable: true });
  const ed = await generateKeyPair('EdDSA', { extractable: true });
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('ES256');
  const esJwk = { ...(await exportJWK(es.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const jwks: JSONWebKeySet = {
    keys: [
      esJwk,
      { ...(await exportJWK(ed.publicKey)), kid: 'k2', alg: 'EdDSA', use: 'sig' },
      { ...(await exportJWK(rsa.publicKey)), kid: 'k3', alg: 'RS256', use: 'sig' },
    ],
  };
  const privateKeys: Record<string, CryptoKey> = { k1: es.privateKey, k2: ed.privateKey, k3: rsa.privateKey };
  const algOf: Record<string, string> = { k1: 'ES256', k2: 'EdDSA', k3: 'RS256' };
  return {
    jwks,
    keys: createLocalJWKSet(jwks),
    publicKeyPem: await exportSPKI(es.publicKey),
    publicJwkJson: JSON.stringify(esJwk),
    otherKey: other.privateKey,
    rsaKey: rsa.privateKey,
    edKey: ed.privateKey,
    token: async (claims = {}, options = {}) => {
      const kid = options.kid ?? 'k1';
      const jwt = new SignJWT({ sub: 'user-1', preferred_username: 'alice', ...claims })
        .setProtectedHeader({ alg: options.alg ?? algOf[kid] ?? 'ES256', kid, typ: 'JWT' })
        .setIssuer(claims.iss ?? ISSUER)
        .setAudience(claims.aud ?? AUDIENCE)
        .setIssuedAt();
      if (options.expiresIn !== null) jwt.setExpirationTime(options.expiresIn ?? '15m');
      return jwt.sign(options.key ?? privateKeys[kid] ?? es.privateKey);
    },
  };
}

const now = () => Math.floor(Date.now() / 1000);
const validClaims = () => ({ sub: 'user-1', iss: ISSUER, aud: AUDIENCE, exp: now() + 600, iat: now() });

/** `alg: none`: no signature at all. */
export function unsignedToken(): string {
  return `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(validClaims()))}.`;
}

/** The classic confusion attack: HS256 with the issuer's public key (PEM or JWK text) as the HMAC secret. */
export function hmacWithPublicKey(secret: string, kid?: string): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', ...(kid ? { kid } : {}) }));
  const payload = b64url(JSON.stringify(validClaims()));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
