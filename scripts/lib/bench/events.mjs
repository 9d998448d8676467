// "All events delivered": the Redis Streams consumer groups of the events topics (Dapr's redis
// pub/sub: one stream per topic — one topic per producing family —, one consumer group per app id)
// have nothing left to read (`lag` 0) and nothing read but unacknowledged (`pending` 0).
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
    // Redis's lag is an estimate (nil after deletions, wrong after a restart from the AOF):
    // a group whose last delivered id is the stream's last id has read everything.
    const caughtUp = g['last-delivered-id'] === lastId || lag === 0;
    return { group: g.name, lag, pending, lastDeliveredId: g['last-delivered-id'], drained: caughtUp && pending === 0 };
  });
  return { stream: topic, length: Number(stream.length), lastId, groups };
}

/** Every topic's reading at once; each group named `<app>@<topic>`. */
async function readTopics(redis, topics) {
  const readings = [];
  for (const topic of topics) {
    const exists = await redis.exists(topic);
    if (exists) readings.push(await consumerGroups(redis, topic));
  }
  return {
    stream: topics.join(', '),
    length: readings.reduce((n, r) => n + r.length, 0),
    groups: readings.flatMap((r) => r.groups.map((g) => ({ ...g, app: g.group, group: `${g.group}@${r.stream}` }))),
  };
}

/**
 * Waits until every group of one of `appIds` on every topic is drained (Dapr's consumer group is
 * the app id; groups of other consumers are listed as `ignored`). Gives up after `timeoutMs`, or once the
 * backlog (lag + pending) has not shrunk for `stallMs`. Returns the last reading and the wait.
 */
export async function waitDrained({ host = '127.0.0.1', port, topics, appIds, timeoutMs = 120_000, stallMs = 20_000 }) {
  const redis = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const t0 = Date.now();
  let best = Infinity;
  let bestAt = t0;
  try {
    for (;;) {
      let reading;
      try {
        reading = await readTopics(redis, topics);
      } catch (error) {
        return { ok: false, error: `XINFO on ${topics.join(', ')}: ${error.message}`, waitedMs: Date.now() - t0 };
      }
      const ignored = appIds ? reading.groups.filter((g) => !appIds.includes(g.app)).map((g) => g.group) : [];
      const groups = reading.groups.filter((g) => !ignored.includes(g.group));
      const ok = groups.length > 0 && groups.every((g) => g.drained);
      const backlog = groups.reduce((n, g) => n + (g.lag ?? 0) + g.pending, 0);
      if (backlog < best) {
        best = backlog;
        bestAt = Date.now();
      }
      const now = Date.now();
      const stalled = now - bestAt > stallMs;
      if (ok || stalled || now - t0 > timeoutMs) {
        return { ok, waitedMs: now - t0, ...(stalled && !ok ? { error: `backlog stuck at ${backlog} for ${stallMs / 1000} s` } : {}), ...reading, groups, ignored };
      }
      await sleep(250);
    }
  } finally {
    redis.disconnect();
  }
}
