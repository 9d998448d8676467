import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Passwords are kept only as scrypt hashes (node:crypto), salted and self-describing:
 * `scrypt$N$r$p$<salt base64>$<hash base64>`, so the cost can be raised later while old hashes
 * still verify. scrypt runs on libuv's thread pool: the event loop never waits for it.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * N = 2^15, r = 8, p = 1: 32 MiB and ~90 ms per hash on the 2-core development machine (README).
 * Twice the cost of the usual 2^14 minimum; raising N further costs memory per concurrent login.
 */
export const DEFAULT_SCRYPT: ScryptParams = { N: 32768, r: 8, p: 1 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;

/** Bounds for what a stored hash may ask for, so a damaged record cannot demand gigabytes. */
const BOUNDS = { N: [1024, 1 << 20], r: [1, 32], p: [1, 16], saltBytes: [16, 64], hashBytes: [16, 64] } as const;

const ENCODED = /^scrypt\$(\d{1,8})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

const within = (value: number, [min, max]: readonly [number, number]) => value >= min && value <= max;

function derive(password: string, salt: Buffer, length: number, { N, r, p }: ScryptParams): Promise<Buffer> {
  // OpenSSL needs 128·r·(N + p + 2) bytes; Node's default ceiling (32 MiB) is just below that for N = 2^15.
  const maxmem = 128 * r * (N + p + 2) + 1024 * 1024;
  // NFC: the same password typed on systems that compose accents differently is the same password.
  const input = password.normalize('NFC');
  return new Promise((resolve, reject) => {
    scrypt(input, salt, length, { N, r, p, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export function parsePasswordHash(encoded: string): ParsedHash | undefined {
  const match = ENCODED.exec(encoded);
  if (!match) return undefined;
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const salt = Buffer.from(match[4], 'base64');
  const hash = Buffer.from(match[5], 'base64');
  const powerOfTwo = (N & (N - 1)) === 0;
  if (!powerOfTwo || !within(N, BOUNDS.N) || !within(r, BOUNDS.r) || !within(p, BOUNDS.p)) return undefined;
  if (!within(salt.length, BOUNDS.saltBytes) || !within(hash.length, BOUNDS.hashBytes)) return undefined;
  return { params: { N, r, p }, salt, hash };
}

/** True when `password` is the one `encoded` was made from; compared in constant time. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parsePasswordHash(encoded);
  if (!parsed) throw new Error('The stored password hash is not in the scrypt$N$r$p$salt$hash format.');
  const candidate = await derive(password, parsed.salt, parsed.hash.length, parsed.params);
  return timingSafeEqual(candidate, parsed.hash);
}
