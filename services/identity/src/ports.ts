import type { PublicSigningJwk } from './domain/signingKeys';
import type { PublicUser, UserRecord } from './domain/user';

/** Users by username. The Dapr-backed one is adapters/userStore.ts; unit tests run it over the in-memory state. */
export interface UserStore {
  /** Stores a new user; false when the username is taken (create-only: of two racing writes one wins). */
  create(user: UserRecord): Promise<boolean>;
  find(username: string): Promise<UserRecord | undefined>;
}

/** Where the token signing keys come from (adapters/signingKeySource.ts: the Dapr secret store). */
export interface SigningKeySource {
  /** The secret's value: a JSON array of private EC P-256 JWKs with `kid`, newest first. */
  read(): Promise<string>;
}

/** What POST /auth/token answers (API.md). */
export interface AccessToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** Signs access tokens and publishes the keys that verify them (adapters/tokens.ts: jose, keys from the secret store). */
export interface TokenIssuer {
  /** A signed token for `user`; TRY_LATER while the signing keys cannot be read. */
  issue(user: PublicUser): Promise<AccessToken>;
  /** The public keys, signer first; TRY_LATER while they cannot be read. */
  jwks(): Promise<{ keys: PublicSigningJwk[] }>;
}
