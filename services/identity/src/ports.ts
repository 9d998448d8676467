import type { UserRecord } from './domain/user';

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
