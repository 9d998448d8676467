import type { PublicSigningJwk } from '../domain/signingKeys';
import type { TokenIssuer } from '../ports';

/** The key set that verifies our tokens (GET /auth/jwks.json): every published key, signer first, never a private member. */
export function publishedKeys(tokens: Pick<TokenIssuer, 'jwks'>): Promise<{ keys: PublicSigningJwk[] }> {
  return tokens.jwks();
}
