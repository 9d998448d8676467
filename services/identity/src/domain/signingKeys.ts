import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * The signing keys secret: a JSON array of private EC P-256 JWKs, each with its `kid`, newest first.
 * The first signs; all are published (rotation keeps an old key published until its tokens expired).
 * Nothing here ever puts key material into an error message.
 */
export class SigningKeysError extends Error {
  override name = 'SigningKeysError';
}

const Base64Url = (length: number) => Type.String({ pattern: `^[A-Za-z0-9_-]{${length}}$` });

/** A P-256 coordinate or private scalar is 32 bytes: 43 base64url characters. */
const PrivateSigningJwk = Type.Object({
  kty: Type.Literal('EC'),
  crv: Type.Literal('P-256'),
  x: Base64Url(43),
  y: Base64Url(43),
  d: Base64Url(43),
  kid: Type.String({ pattern: '^[\\x21-\\x7E]{1,200}$' }),
  alg: Type.Optional(Type.Literal('ES256')),
  use: Type.Optional(Type.Literal('sig')),
});
export type PrivateSigningJwk = Static<typeof PrivateSigningJwk>;

const KeySet = Type.Array(PrivateSigningJwk, { minItems: 1, maxItems: 20 });

/** What GET /auth/jwks.json publishes of a key: never `d`. */
export interface PublicSigningJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export function parseSigningKeys(secretValue: string): PrivateSigningJwk[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretValue);
  } catch {
    throw new SigningKeysError('The signing keys secret is not JSON (expected an array of private EC P-256 JWKs).');
  }
  if (!Value.Check(KeySet, parsed)) {
    const problems = [...Value.Errors(KeySet, parsed)].slice(0, 5).map((e) => `${e.path || '/'} ${e.message}`);
    throw new SigningKeysError(`The signing keys secret is not an array of private EC P-256 JWKs with kid: ${problems.join('; ')}.`);
  }
  const kids = new Set(parsed.map((key) => key.kid));
  if (kids.size !== parsed.length) throw new SigningKeysError('Two signing keys share a kid.');
  return parsed;
}

/** Only the public members, picked one by one (a spread would carry `d` along). */
export const publicJwkOf = (key: PrivateSigningJwk): PublicSigningJwk => ({
  kty: 'EC',
  crv: 'P-256',
  x: key.x,
  y: key.y,
  kid: key.kid,
  alg: 'ES256',
  use: 'sig',
});
