import { Type, type Static } from '@sinclair/typebox';
import { NonBlankText, Strict } from '@staycar/common';
import { USERNAME_PATTERN } from '../domain/user';

/** Limits from API.md ("Identity and ownership"). */
const Username = Type.String({ minLength: 3, maxLength: 40, pattern: USERNAME_PATTERN });
const NewPassword = Type.String({ minLength: 10, maxLength: 200 });

export const SignupBody = Strict({
  username: Username,
  password: NewPassword,
  displayName: Type.Optional(NonBlankText(200)),
});
export type SignupBody = Static<typeof SignupBody>;

/**
 * Sign-in checks shapes only: a name or password that sign-up would refuse is simply not a user's
 * (401 INVALID_CREDENTIALS), so the answer says nothing about the sign-up rules or who exists.
 */
export const TokenBody = Strict({
  username: Type.String({ minLength: 1, maxLength: 200 }),
  password: Type.String({ minLength: 1, maxLength: 200 }),
});
export type TokenBody = Static<typeof TokenBody>;
