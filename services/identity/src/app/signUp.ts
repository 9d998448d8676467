import { randomBytes } from 'node:crypto';
import { newUserRecord, publicUser, usernameTaken, type NewUser, type PublicUser } from '../domain/user';
import { hashPassword } from '../domain/password';
import type { UserStore } from '../ports';

export interface SignUpDeps {
  users: UserStore;
  clock?: () => Date;
  newUserId?: () => string;
}

/** `usr_` + 20 hex characters (80 random bits). */
export const randomUserId = (): string => `usr_${randomBytes(10).toString('hex')}`;

/**
 * A new user with a hashed password. The create-only write decides who gets a name, so of two
 * racing sign-ups exactly one wins (the other: USERNAME_TAKEN).
 */
export async function signUp(deps: SignUpDeps, input: NewUser & { password: string }): Promise<PublicUser> {
  const passwordHash = await hashPassword(input.password);
  const user = newUserRecord(input, (deps.newUserId ?? randomUserId)(), passwordHash, (deps.clock ?? (() => new Date()))());
  if (!(await deps.users.create(user))) throw usernameTaken();
  return publicUser(user);
}
