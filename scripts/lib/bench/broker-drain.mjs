// "All events delivered" on the brokers of the other profiles (components/*.profile.json): the
// consumer queues (RabbitMQ: <app>-<topic>) have nothing ready or unacknowledged, the consumer
// groups (Kafka: one per app id) have lag 0 on each topic. The Redis Streams check is events.mjs.
// Same contract as events.mjs's waitDrained: `{ ok, waitedMs, error?, groups }`.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ROOT } from '../paths.mjs';

const run = async (file, args) => (await promisify(execFile)(file, args, { timeout: 60_000, maxBuffer: 16 << 20 })).stdout;

/** Backlog per consumer: RabbitMQ queues. */
async function rabbitmqBacklog(topic, consumers) {
  const out = await run('/usr/lib/rabbitmq/bin/rabbitmqctl', ['-q', '-n', process.env.RABBITMQ_NODE ?? 'staycar@localhost', 'list_queues', 'name', 'messages_ready', 'messages_unacknowledged']);
  const queues = new Map(out.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length === 3).map(([n, r, u]) => [n, Number(r) + Number(u)]));
  return consumers.filter((c) => queues.has(`${c}-${topic}`)).map((c) => ({ group: c, backlog: queues.get(`${c}-${topic}`) }));
}

/** Backlog per consumer: Kafka consumer groups' lag on the topic. */
async function kafkaBacklog(topic, consumers) {
  const versions = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'versions.json'), 'utf8'));
  const libs = path.join(process.env.STAYCAR_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'staycar'), 'kafka', versions.kafka, 'libs');
  const command = ['-cp', `${libs}/*`, 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', '--bootstrap-server', `127.0.0.1:${process.env.KAFKA_PORT ?? 19092}`];
  // Only groups that exist: describing one that does not (an app that subscribes to nothing) fails the whole command.
  const existing = new Set((await run('java', [...command, '--list'])).split('\n').map((l) => l.trim()));
  const groups = consumers.filter((c) => existing.has(c));
  if (groups.length === 0) return [];
  const out = await run('java', [...command, '--describe', ...groups.flatMap((c) => ['--group', c])]);
  const result = [];
  for (const c of groups) {
    const rows = out.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[0] === c && f[1] === topic);
    if (rows.length > 0) result.push({ group: c, backlog: rows.reduce((n, f) => n + (f[3] === '-' ? Number(f[4]) : Number(f[5])), 0) });
  }
  return result;
}

/** Backlog per consumer and topic (`<app>@<topic>`), over every topic. */
async function backlogOnTopics(backlogOf, topics, appIds) {
  const groups = [];
  for (const topic of topics) groups.push(...(await backlogOf(topic, appIds)).map((g) => ({ ...g, group: `${g.group}@${topic}` })));
  return groups;
}

export async function waitDrainedOnBroker({ broker, topics, appIds, timeoutMs = 120_000, stallMs = 20_000 }) {
  const backlogOf = { rabbitmq: rabbitmqBacklog, kafka: kafkaBacklog }[broker];
  if (!backlogOf) return { ok: false, error: `no drain check for broker ${broker}`, waitedMs: 0 };
  const t0 = Date.now();
  let best = Infinity;
  let bestAt = t0;
  for (;;) {
    let groups;
    try {
      groups = await backlogOnTopics(backlogOf, topics, appIds);
    } catch (error) {
      return { ok: false, error: `${broker}: ${error.message}`, waitedMs: Date.now() - t0 };
    }
    const backlog = groups.reduce((n, g) => n + g.backlog, 0);
    const ok = groups.length > 0 && backlog === 0;
    if (backlog < best) {
      best = backlog;
      bestAt = Date.now();
    }
    const now = Date.now();
    const stalled = now - bestAt > stallMs;
    if (ok || stalled || now - t0 > timeoutMs) return { ok, waitedMs: now - t0, ...(stalled && !ok ? { error: `backlog stuck at ${backlog} for ${stallMs / 1000} s` } : {}), groups };
    await sleep(500);
  }
}
