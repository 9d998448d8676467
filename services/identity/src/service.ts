import { randomBytes } from 'node:crypto';
import { DomainError, conflict } from '@staycar/common';
import { isUsername, newUserRecord, publicUser, type NewUser, type PublicUser } from './domain/user';
import { hashPassword, verifyPassword } from './password';
import type { UserStore } from './ports';
import type { AccessToken, TokenIssuer } from './tokens';

export interface ServiceDeps {
  users: UserStore;
  tokens: TokenIssuer;
  clock?: () => Date;
  newUserId?: () => string;
}

/** `usr_` + 20 hex characters (80 random bits). */
export const randomUserId = (): string => `usr_${randomBytes(10).toString('hex')}`;

export const usernameTaken = (): DomainError => conflict('USERNAME_TAKEN', 'That username is taken.');
export const invalidCredentials = (): DomainError =>
  new DomainError('unauthenticated', 'INVALID_CREDENTIALS', 'Wrong username or password.');

/** Sign-up and sign-in: users with hashed passwords, access tokens for them. */
export class IdentityService {
  private readonly now: () => Date;
  private readonly newUserId: () => string;
  private dummyHash?: Promise<string>;

  constructor(private readonly deps: ServiceDeps) {
    this.now = deps.clock ?? (() => new Date());
    this.newUserId = deps.newUserId ?? randomUserId;
  }

  /** The create-only write decides who gets a name, so of two racing sign-ups exactly one wins. */
  async signUp(input: NewUser & { password: string }): Promise<PublicUser> {
    const passwordHash = await hashPassword(input.password);
    const user = newUserRecord(input, this.newUserId(), passwordHash, this.now());
    if (!(await this.deps.users.create(user))) throw usernameTaken();
    return publicUser(user);
  }

  /**
   * One answer for an unknown user and a wrong password, in about the same time: an unknown user's
   * password is checked against a hash of a random password made with the same cost.
   */
  async issueToken(credentials: { username: string; password: string }): Promise<AccessToken> {
    const user = isUsername(credentials.username) ? await this.deps.users.find(credentials.username) : undefined;
    const matches = await verifyPassword(credentials.password, user?.passwordHash ?? (await this.unknownUserHash()));
    if (!user || !matches) throw invalidCredentials();
    return this.deps.tokens.issue(publicUser(user));
  }

  jwks() {
    return this.deps.tokens.jwks();
  }

  /** Made once, on first need (or at start, main's warm-up), with the current cost parameters. */
  unknownUserHash(): Promise<string> {
    this.dummyHash ??= hashPassword(randomBytes(32).toString('base64'));
    return this.dummyHash;
  }
}
