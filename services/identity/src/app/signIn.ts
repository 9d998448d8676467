import { randomBytes } from 'node:crypto';
import { invalidCredentials, isUsername, publicUser } from '../domain/user';
import { hashPassword, verifyPassword } from '../domain/password';
import type { AccessToken, TokenIssuer, UserStore } from '../ports';

/**
 * The hash an unknown user's password is checked against: of a random password, made once (on
 * first need, or at start: main's warm-up) with the current cost parameters.
 */
export class UnknownUserHash {
  private made?: Promise<string>;

  get(): Promise<string> {
    this.made ??= hashPassword(randomBytes(32).toString('base64'));
    return this.made;
  }
}

export interface SignInDeps {
  users: UserStore;
  tokens: TokenIssuer;
  unknownUser: UnknownUserHash;
}

/**
 * An access token for the right password. One answer for an unknown user and a wrong password
 * (INVALID_CREDENTIALS), in about the same time: an unknown user's password is still checked, against
 * `unknownUser`'s hash made with the same cost.
 */
export async function signIn(deps: SignInDeps, credentials: { username: string; password: string }): Promise<AccessToken> {
  const user = isUsername(credentials.username) ? await deps.users.find(credentials.username) : undefined;
  const matches = await verifyPassword(credentials.password, user?.passwordHash ?? (await deps.unknownUser.get()));
  if (!user || !matches) throw invalidCredentials();
  return deps.tokens.issue(publicUser(user));
}
