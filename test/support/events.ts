import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Redis from 'ioredis';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { asSidecarOf, sidecarUrl } from './sidecars';

/**
 * Publishes real CloudEvents through the real sidecar of the service that owns the event's family
 * onto that family's real topic (pubsub scopes let each producer publish only there) — the same
 * path the services' outbox events take. Topics and who reads them come from the configuration:
 * the producers' state stores (outboxPublishTopic, components/<profile>/statestore.yaml) and each
 * consumer's EVENTS_TOPICS (dapr.yaml).
 */
const ROOT = path.resolve(__dirname, '..', '..');
export const PUBSUB = process.env.PUBSUB ?? 'pubsub';

/** Producing app → the topic its outbox publishes to. */
export const FAMILY_TOPICS: Record<string, string> = Object.fromEntries(
  parseAllDocuments(fs.readFileSync(path.join(ROOT, 'components', process.env.STAYCAR_PROFILE || 'default', 'statestore.yaml'), 'utf8'))
    .map((d) => d.toJS() as { scopes?: string[]; spec?: { metadata?: { name: string; value?: string }[] } })
    .flatMap((c) => {
      const topic = c.spec?.metadata?.find((m) => m.name === 'outboxPublishTopic')?.value;
      return topic && c.scopes?.length === 1 ? [[c.scopes[0], topic]] : [];
    }),
);

/** Consumer app → the topics it subscribes to (dapr.yaml's EVENTS_TOPICS). */
export const CONSUMER_TOPICS: Record<string, string[]> = Object.fromEntries(
  (parseYaml(fs.readFileSync(path.join(ROOT, 'dapr.yaml'), 'utf8')) as { apps: { appID: string; env?: Record<string, string> }[] }).apps
    .filter((app) => app.env?.EVENTS_TOPICS)
    .map((app) => [app.appID, app.env!.EVENTS_TOPICS.split(',')]),
);

/** Every family topic. */
export const TOPICS = Object.values(FAMILY_TOPICS);

/** The service that publishes an event type (docs/contracts.md, "Events"). */
export function publisherOf(type: string): string {
  if (/^(Room|Review)/.test(type)) return 'room';
  if (type.startsWith('Rentcar')) return 'rentcar';
  if (type.startsWith('Reservation')) return 'reservation';
  if (type.startsWith('Payment')) return 'payment';
  return 'room';
}

/** The topic an event type travels on. */
export const topicOf = (type: string): string => FAMILY_TOPICS[publisherOf(type)];

/** Data JSON; Dapr wraps it in a CloudEvent whose `type` (and `id`) come from the metadata. */
export async function publishData(type: string, data: object, id?: string): Promise<void> {
  const params = new URLSearchParams({ 'metadata.cloudevent.type': type });
  if (id) params.set('metadata.cloudevent.id', id);
  const app = publisherOf(type);
  const res = await fetch(`${sidecarUrl(app)}/v1.0/publish/${PUBSUB}/${topicOf(type)}?${params.toString()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...asSidecarOf(app) },
    body: JSON.stringify(data),
  });
  if (res.status !== 204) throw new Error(`publish ${type} answered ${res.status}: ${await res.text()}`);
}

/** A whole CloudEvent we made ourselves (fixed id), as a redelivery would look. */
export async function publishCloudEvent(type: string, data: object, id: string = randomUUID()): Promise<string> {
  const app = publisherOf(type);
  const res = await fetch(`${sidecarUrl(app)}/v1.0/publish/${PUBSUB}/${topicOf(type)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json', ...asSidecarOf(app) },
    body: JSON.stringify({ specversion: '1.0', id, source: 'e2e-test', type, datacontenttype: 'application/json', data }),
  });
  if (res.status !== 204) throw new Error(`publish ${type} answered ${res.status}: ${await res.text()}`);
  return id;
}

/** Reads the stream entry (of any family topic, or `topics`) that carries `marker` (what really went over the wire). */
export async function findOnStream(
  redis: Redis,
  marker: string,
  topics: string[] = TOPICS,
): Promise<{ id: string; type: string; data: Record<string, unknown> }> {
  for (const topic of topics) {
    const entries = await redis.xrevrange(topic, '+', '-', 'COUNT', 2000);
    for (const [, fields] of entries) {
      const raw = fields[fields.indexOf('data') + 1];
      if (raw?.includes(marker)) return JSON.parse(raw) as { id: string; type: string; data: Record<string, unknown> };
    }
  }
  throw new Error(`no event with ${marker} on ${topics.join(', ')} yet`);
}

/**
 * Throws until each consumer group has read everything on every topic it reads (CONSUMER_TOPICS)
 * and acknowledged it.
 * "Read everything" = its last delivered id is the stream's last id: Redis's `lag` counter is
 * only an estimate and stays wrong after Redis restarts from its AOF (seen: lag 6022 with
 * last-delivered-id equal to the last entry).
 */
export async function drained(redis: Redis, groups: string[]): Promise<void> {
  for (const group of groups) {
    for (const topic of CONSUMER_TOPICS[group] ?? []) await drainedOn(redis, topic, group);
  }
}

async function drainedOn(redis: Redis, topic: string, group: string): Promise<void> {
  const stream = (await redis.call('XINFO', 'STREAM', topic)) as unknown[];
  const lastId = stream[stream.indexOf('last-generated-id') + 1];
  const info = (await redis.call('XINFO', 'GROUPS', topic)) as unknown[][];
  {
    const entry = info.find((fields) => fields[fields.indexOf('name') + 1] === group);
    if (!entry) throw new Error(`no consumer group ${group} on ${topic}`);
    const pending = Number(entry[entry.indexOf('pending') + 1]);
    const lastDelivered = entry[entry.indexOf('last-delivered-id') + 1];
    const lag = entry[entry.indexOf('lag') + 1];
    if (pending !== 0 || (lastDelivered !== lastId && Number(lag) !== 0)) {
      throw new Error(
        `${group} on ${topic}: pending ${pending}, last delivered ${String(lastDelivered)} of ${String(lastId)} (lag ${String(lag)})`,
      );
    }
  }
}

/**
 * Reads the topics (every family topic unless told) forward from where they stood when `begin()`
 * ran, so a test looks only at the events of its own run (the streams keep every earlier run's events).
 */
export class StreamReader {
  private readonly lastIds = new Map<string, string>();
  private readonly seen: { raw: string; event: { id: string; type: string; data: Record<string, any> } }[] = [];
  private readonly topics: string[];

  constructor(
    private readonly redis: Redis,
    topics: string | string[] = TOPICS,
  ) {
    this.topics = typeof topics === 'string' ? [topics] : topics;
  }

  async begin(): Promise<void> {
    for (const topic of this.topics) {
      const last = await this.redis.xrevrange(topic, '+', '-', 'COUNT', 1);
      this.lastIds.set(topic, last[0]?.[0] ?? '0-0');
    }
  }

  private async refresh(): Promise<void> {
    for (const topic of this.topics) {
      for (;;) {
        const entries = await this.redis.xrange(topic, `(${this.lastIds.get(topic) ?? '0-0'}`, '+', 'COUNT', 1000);
        for (const [id, fields] of entries) {
          this.lastIds.set(topic, id);
          const raw = fields[fields.indexOf('data') + 1];
          if (raw) this.seen.push({ raw, event: JSON.parse(raw) });
        }
        if (entries.length < 1000) break;
      }
    }
  }

  /** Events since begin() whose JSON contains `marker`, oldest first per topic. */
  async matching(marker: string): Promise<{ id: string; type: string; data: Record<string, any> }[]> {
    await this.refresh();
    return this.seen.filter((entry) => entry.raw.includes(marker)).map((entry) => entry.event);
  }
}
