import { EtagConflictError, type StatePort } from '@staycar/common';
import type { UserRecord } from '../domain/user';
import type { UserStore } from '../ports';

/** State keys (Dapr prefixes them with the app id). Usernames hold only a-z 0-9 . _ - (never `||`). */
export const keys = {
  user: (username: string) => `user:${username}`,
};

/**
 * Users in the Dapr state store. A save without an ETag is create-only (first-write concurrency:
 * an insert on MySQL, a set-if-absent on Redis), so the store itself settles racing sign-ups.
 */
export class DaprUserStore implements UserStore {
  constructor(private readonly state: Pick<StatePort, 'getState' | 'saveState'>) {}

  async create(user: UserRecord): Promise<boolean> {
    try {
      await this.state.saveState({ key: keys.user(user.username), value: user });
      return true;
    } catch (error) {
      if (error instanceof EtagConflictError) return false;
      throw error;
    }
  }

  async find(username: string): Promise<UserRecord | undefined> {
    return (await this.state.getState<UserRecord>(keys.user(username)))?.value;
  }
}
