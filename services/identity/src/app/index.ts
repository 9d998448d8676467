import type { NewUser, PublicUser } from '../domain/user';
import type { PublicSigningJwk } from '../domain/signingKeys';
import type { AccessToken, TokenIssuer, UserStore } from '../ports';
import { publishedKeys } from './jwks';
import { signIn, UnknownUserHash } from './signIn';
import { signUp, type SignUpDeps } from './signUp';

/** What the HTTP routes call: each use case with its ports bound. */
export interface IdentityUseCases {
  signUp(input: NewUser & { password: string }): Promise<PublicUser>;
  signIn(credentials: { username: string; password: string }): Promise<AccessToken>;
  jwks(): Promise<{ keys: PublicSigningJwk[] }>;
  /** Made at start by main (warm-up), so the first unknown-user sign-in costs no more than the others. */
  unknownUser: UnknownUserHash;
}

export function identityUseCases(deps: { users: UserStore; tokens: TokenIssuer } & Omit<SignUpDeps, 'users'>): IdentityUseCases {
  const unknownUser = new UnknownUserHash();
  return {
    signUp: (input) => signUp(deps, input),
    signIn: (credentials) => signIn({ ...deps, unknownUser }, credentials),
    jwks: () => publishedKeys(deps.tokens),
    unknownUser,
  };
}
