// "All events delivered": the Redis Streams consumer groups of the events topic (Dapr's redis
// pub/sub: one stream per topic, one consumer group per app id) have nothing left to read
// (`lag` 0) and nothing read but unacknowledged (`pending` 0).
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';

const pairs = (flat) => {
  const out = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
};

/** XINFO GROUPS of the topic's stream, with whether each group is drained. */
export async function consumerGroups(redis, topic) {
  const stream = pairs(await redis.call('XINFO', 'STREAM', topic));
  const lastId = stream['last-generated-id'];
  const groups = (await redis.call('XINFO', 'GROUPS', topic)).map(pairs).map((g) => {
    const lag = g.lag === null || g.lag === undefined ? null : Number(g.lag);
    const pending = Number(g.pending);
    // Redis answers a nil lag when it cannot tell (after deletions); then compare ids.
    const caughtUp = lag === null ? g['last-delivered-id'] === lastId : lag === 0;
    return { group: g.name, lag, pending, lastDeliveredId: g['last-delivered-id'], drained: caughtUp && pending === 0 };
  });
  return { stream: topic, length: Number(stream.length), lastId, groups };
}

/**
 * Waits until every group is drained (or `timeoutMs`); returns the last reading and how long it took.
 */
export async function waitDrained({ host = '127.0.0.1', port, topic, timeoutMs = 120_000 }) {
  const redis = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const t0 = Date.now();
  try {
    for (;;) {
      let reading;
      try {
        reading = await consumerGroups(redis, topic);
      } catch (error) {
        return { ok: false, error: `XINFO on ${topic}: ${error.message}`, waitedMs: Date.now() - t0 };
      }
      const ok = reading.groups.length > 0 && reading.groups.every((g) => g.drained);
      if (ok || Date.now() - t0 > timeoutMs) return { ok, waitedMs: Date.now() - t0, ...reading };
      await sleep(250);
    }
  } finally {
    redis.disconnect();
  }
}
