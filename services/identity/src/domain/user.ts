import { conflict, DomainError } from '@staycar/common';

/** A user as stored under `user:<username>` (the password only as its self-describing hash). */
export interface UserRecord {
  userId: string;
  username: string;
  displayName: string;
  passwordHash: string;
  createdAt: string;
}

/** What the API shows of a user (API.md: signup's answer). */
export interface PublicUser {
  userId: string;
  username: string;
  displayName: string;
}

/** API.md: 3..40 of a-z 0-9 . _ - (lower case only: no two users differ by case alone). */
export const USERNAME_PATTERN = '^[a-z0-9._-]{3,40}$';
const USERNAME = new RegExp(USERNAME_PATTERN);

/** Only such names can exist, so anything else is never looked up (nor put into a state key). */
export const isUsername = (value: string): boolean => USERNAME.test(value);

export interface NewUser {
  username: string;
  displayName?: string;
}

export function newUserRecord(input: NewUser, userId: string, passwordHash: string, now: Date): UserRecord {
  return {
    userId,
    username: input.username,
    displayName: input.displayName ?? input.username,
    passwordHash,
    createdAt: now.toISOString(),
  };
}

export const publicUser = (user: UserRecord): PublicUser => ({
  userId: user.userId,
  username: user.username,
  displayName: user.displayName,
});

export const usernameTaken = (): DomainError => conflict('USERNAME_TAKEN', 'That username is taken.');

/** One refusal for an unknown user and a wrong password: nothing tells which it was. */
export const invalidCredentials = (): DomainError =>
  new DomainError('unauthenticated', 'INVALID_CREDENTIALS', 'Wrong username or password.');
