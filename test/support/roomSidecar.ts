import Redis from 'ioredis';
import pino from 'pino';
import { Sidecar } from '@staycar/common';
import { FAMILY_TOPICS, StreamReader } from './events';
import { sidecarToken } from './sidecars';

/**
 * The Dapr adapter on room's real sidecar (as room, with its API token) and a reader of the events
 * topic from now on (and the Redis client it reads with) — what the adapter and contract suites test against. Registers its own
 * beforeAll/afterAll: call it at the top of a test file.
 */
export function roomSidecarWithStream(): { sidecar: Sidecar; stream: StreamReader; redis: Redis } {
  const sidecar = Sidecar.create(
    {
      daprHost: '127.0.0.1',
      daprHttpPort: 3501,
      stateStore: 'room-store',
      pubsub: 'pubsub',
      daprApiToken: sidecarToken('room'),
    },
    pino({ level: 'silent' }),
  );
  const redis = new Redis({ port: Number(process.env.REDIS_PORT ?? 6379), password: process.env.REDIS_PASSWORD, lazyConnect: true });
  const stream = new StreamReader(redis, FAMILY_TOPICS.room);
  beforeAll(async () => {
    await sidecar.waitUntilReachable();
    await redis.connect();
    await stream.begin();
  });
  afterAll(async () => {
    await sidecar.stop();
    redis.disconnect();
  });
  return { sidecar, stream, redis };
}
