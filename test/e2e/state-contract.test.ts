import Redis from 'ioredis';
import pino from 'pino';
import { Sidecar } from '@staycar/common';
import { statePortContract } from '@staycar/common/testing';
import { unique } from '../support/api';
import { StreamReader } from '../support/events';
import { sidecarToken } from '../support/sidecars';

// The StatePort contract that services/common/test/statePort.contract.test.ts runs against the
// in-process fake, here against the real thing: room's daprd, MariaDB state with the outbox, Redis Streams.
const sidecar = Sidecar.create(
  {
    daprHost: '127.0.0.1',
    daprHttpPort: 3501,
    stateStore: 'statestore',
    pubsub: 'pubsub',
    eventsTopic: 'staycar-events',
    daprApiToken: sidecarToken('room'),
  },
  pino({ level: 'silent' }),
);
const redis = new Redis({ port: Number(process.env.REDIS_PORT ?? 6379), password: process.env.REDIS_PASSWORD, lazyConnect: true });
const stream = new StreamReader(redis);

beforeAll(async () => {
  await sidecar.waitUntilReachable();
  await redis.connect();
  await stream.begin();
});
afterAll(async () => {
  await sidecar.stop();
  redis.disconnect();
});

describe('the sidecar keeps the StatePort contract', () => {
  statePortContract(
    () => ({
      port: sidecar,
      publishedWith: async (marker) => (await stream.matching(marker)).map((e) => ({ type: e.type, data: e.data })),
      publishDelayMs: 3000,
    }),
    (name) => unique(`contract-${name}`),
  );
});
