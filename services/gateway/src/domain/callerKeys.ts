import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * The address a limit is kept for. IPv4-mapped IPv6 is the IPv4 address; a plain IPv6 address
 * counts as its /64, since one client usually holds a whole /64 and could rotate through it.
 */
export function addressBucket(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIPv4(address)) return address;
  if (isIPv6(address)) return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
  return address;
}

function expandIPv6(address: string): string[] {
  const withoutZone = address.split('%')[0] ?? address;
  const [head = '', tail] = withoutZone.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 address (`::ffff:1.2.3.4`, `64:ff9b::1.2.3.4`) fills two groups.
  const width = (groups: string[]): number => groups.reduce((n, group) => n + (group.includes('.') ? 2 : 1), 0);
  const missing = 8 - width(left) - width(right);
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right];
  return groups.map((group) => (group.includes('.') ? group : group.replace(/^0+(?=.)/, '').toLowerCase()));
}

const digest = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 32);

/** Redis keys of the limits: which rule and who (user id or address); free text (a username) is hashed. */
export const rateKeys = {
  caller: (userId: string | undefined, address: string): string =>
    userId !== undefined ? `staycar:rl:caller:user:${userId}` : `staycar:rl:caller:addr:${address}`,
  authToken: (address: string, username: string): string => `staycar:rl:auth-token:${address}:${digest(username)}`,
  authSignup: (address: string): string => `staycar:rl:auth-signup:${address}`,
};
