import { IDENTITY_HEADERS } from '../../src';

/**
 * The identity headers the gateway forwards for a verified caller (services/common/src/identity.ts),
 * for unit tests of the services: `request(app).get(url).set(as('guest-1'))`.
 */
export const as = (userId: string): Record<string, string> => ({ [IDENTITY_HEADERS.userId]: userId });

/** An operator (a username in the gateway's ADMIN_USERNAMES): reads everything, acts as nobody else. */
export const asOperator = (userId = 'operator-1'): Record<string, string> => ({
  [IDENTITY_HEADERS.userId]: userId,
  [IDENTITY_HEADERS.operator]: 'true',
});
