import Redis, { type Result } from 'ioredis';
import type { Logger } from '@staycar/common';
import type { RateCounter } from '../ports';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    staycarRateHit(key: string, windowMs: number): Result<[number, number], Context>;
  }
}

/**
 * One atomic step of a fixed window: count the hit, start the window's expiry on the first one
 * (and repair a key that somehow has none), answer the count and the time left.
 */
const RATE_HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/** Rate counters in Redis, shared by every gateway replica. */
export class RedisRateCounter implements RateCounter {
  constructor(private readonly redis: Redis) {
    // ioredis runs it with EVALSHA and loads the script again after a NOSCRIPT (Redis restart).
    redis.defineCommand('staycarRateHit', { numberOfKeys: 1, lua: RATE_HIT });
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const [count, resetInMs] = await this.redis.staycarRateHit(key, windowMs);
    return { count, resetInMs };
  }
}

export interface RedisSettings {
  url: string;
  password?: string;
  /** A command without an answer within this fails (the limiter then serves without limits). */
  commandTimeoutMs: number;
}

/**
 * A Redis connection that never makes a request wait: commands fail at once while disconnected
 * (no offline queue, no retries per command) and after `commandTimeoutMs`; it reconnects in the
 * background. Connection errors are logged at most every 30 s.
 */
export function connectRedis(settings: RedisSettings, logger: Logger): Redis {
  const redis = new Redis(settings.url, {
    ...(settings.password ? { password: settings.password } : {}),
    commandTimeout: settings.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let lastLogAt = Number.NEGATIVE_INFINITY;
  redis.on('error', (error: unknown) => {
    const now = Date.now();
    if (now - lastLogAt < 30_000) return;
    lastLogAt = now;
    logger.warn({ err: error }, 'rate limit store (Redis) unreachable; limits are not enforced until it is back');
  });
  redis.on('ready', () => logger.info('rate limit store (Redis) connected'));
  return redis;
}
