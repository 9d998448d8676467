import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { CONSUMER_TOPICS, drained } from './events';

// The component profile this run's system was started with (STAYCAR_PROFILE,
// components/<name>.profile.json, scripts/lib/profiles.mjs) and what the tests need to know of its broker: whether
// the consumers have read and acknowledged everything, asked of the broker itself.

const ROOT = path.resolve(__dirname, '..', '..');

export type Profile = { name: string; description: string; stores: string[]; broker: string; stateStore: string; viewDb: string };

export const PROFILE: Profile = (() => {
  const name = process.env.STAYCAR_PROFILE || 'default';
  return { name, ...JSON.parse(fs.readFileSync(path.join(ROOT, 'components', `${name}.profile.json`), 'utf8')) } as Profile;
})();

/** Tests that read Redis Streams' own records (the wire format on the topic) run only there. */
export const onRedisStreams = PROFILE.broker === 'redis';

const run = async (file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> =>
  (await promisify(execFile)(file, args, { env, timeout: 60_000, maxBuffer: 16 << 20 })).stdout;

/** Each consumer with each topic it reads (dapr.yaml's EVENTS_TOPICS). */
const readers = (consumers: string[]): [string, string][] =>
  consumers.flatMap((c) => (CONSUMER_TOPICS[c] ?? []).map((t) => [c, t] as [string, string]));

/** RabbitMQ: every consumer's queue (<app>-<topic>) has nothing ready and nothing unacknowledged. */
async function rabbitmqDrained(consumers: string[]): Promise<void> {
  const node = process.env.RABBITMQ_NODE ?? 'staycar@localhost';
  const out = await run('/usr/lib/rabbitmq/bin/rabbitmqctl', [
    '-q',
    '-n',
    node,
    'list_queues',
    'name',
    'messages_ready',
    'messages_unacknowledged',
  ]);
  const queues = new Map(
    out
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f.length === 3)
      .map(([name, ready, unacked]) => [name, { ready: Number(ready), unacked: Number(unacked) }]),
  );
  for (const [consumer, topic] of readers(consumers)) {
    const q = queues.get(`${consumer}-${topic}`);
    if (!q) throw new Error(`no queue ${consumer}-${topic}`);
    if (q.ready !== 0 || q.unacked !== 0) throw new Error(`${consumer}-${topic}: ${q.ready} ready, ${q.unacked} unacknowledged`);
  }
}

/** Kafka: every consumer group's committed offsets on its topics are at the end of each partition. */
async function kafkaDrained(consumers: string[]): Promise<void> {
  const versions = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'versions.json'), 'utf8')) as { kafka: string };
  const libs = path.join(process.env.STAYCAR_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'staycar'), 'kafka', versions.kafka, 'libs');
  const port = process.env.KAFKA_PORT ?? '19092';
  const out = await run('java', [
    '-cp',
    `${libs}/*`,
    'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
    '--bootstrap-server',
    `127.0.0.1:${port}`,
    '--describe',
    ...consumers.flatMap((c) => ['--group', c]),
  ]);
  for (const [consumer, topic] of readers(consumers)) {
    const rows = out
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[0] === consumer && f[1] === topic);
    if (rows.length === 0) throw new Error(`consumer group ${consumer} has no offsets on ${topic}`);
    // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG …
    const lag = rows.reduce((sum, f) => sum + (f[3] === '-' ? Number(f[4]) : Number(f[5])), 0);
    if (lag !== 0) throw new Error(`consumer group ${consumer}: lag ${lag} on ${topic}`);
  }
}

/** Throws until each consumer has read everything on the topics it reads and acknowledged it, on this profile's broker. */
export async function brokerDrained(consumers: string[]): Promise<void> {
  switch (PROFILE.broker) {
    case 'redis': {
      const redis = new Redis({ port: Number(process.env.REDIS_PORT ?? 6379), lazyConnect: true });
      try {
        await redis.connect();
        await drained(redis, consumers);
      } finally {
        redis.disconnect();
      }
      return;
    }
    case 'rabbitmq':
      return rabbitmqDrained(consumers);
    case 'kafka':
      return kafkaDrained(consumers);
    default:
      throw new Error(`no drained check for broker ${PROFILE.broker} (test/support/profile.ts)`);
  }
}
