import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { asSidecarOf } from './sidecars';

/**
 * Publishes real CloudEvents through a real sidecar (room's, which is scoped for pub/sub) onto
 * the real Redis Streams topic — the same path the services' outbox events take.
 */
const SIDECAR = process.env.PUBLISH_SIDECAR_URL ?? 'http://127.0.0.1:3501';
export const PUBSUB = process.env.PUBSUB ?? 'pubsub';
export const TOPIC = process.env.EVENTS_TOPIC ?? 'staycar-events';

/** Data JSON; Dapr wraps it in a CloudEvent whose `type` (and `id`) come from the metadata. */
export async function publishData(type: string, data: object, id?: string): Promise<void> {
  const params = new URLSearchParams({ 'metadata.cloudevent.type': type });
  if (id) params.set('metadata.cloudevent.id', id);
  const res = await fetch(`${SIDECAR}/v1.0/publish/${PUBSUB}/${TOPIC}?${params.toString()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...asSidecarOf('room') },
    body: JSON.stringify(data),
  });
  if (res.status !== 204) throw new Error(`publish ${type} answered ${res.status}: ${await res.text()}`);
}

/** A whole CloudEvent we made ourselves (fixed id), as a redelivery would look. */
export async function publishCloudEvent(type: string, data: object, id: string = randomUUID()): Promise<string> {
  const res = await fetch(`${SIDECAR}/v1.0/publish/${PUBSUB}/${TOPIC}`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json', ...asSidecarOf('room') },
    body: JSON.stringify({ specversion: '1.0', id, source: 'e2e-test', type, datacontenttype: 'application/json', data }),
  });
  if (res.status !== 204) throw new Error(`publish ${type} answered ${res.status}: ${await res.text()}`);
  return id;
}

/** Reads the stream entry that carries `marker` (for checking what really went over the wire). */
export async function findOnStream(redis: Redis, marker: string): Promise<{ id: string; type: string; data: Record<string, unknown> }> {
  const entries = await redis.xrevrange(TOPIC, '+', '-', 'COUNT', 2000);
  for (const [, fields] of entries) {
    const raw = fields[fields.indexOf('data') + 1];
    if (raw?.includes(marker)) return JSON.parse(raw) as { id: string; type: string; data: Record<string, unknown> };
  }
  throw new Error(`no event with ${marker} on the stream yet`);
}

/**
 * Throws until each consumer group has read everything on the topic and acknowledged it.
 * "Read everything" = its last delivered id is the stream's last id: Redis's `lag` counter is
 * only an estimate and stays wrong after Redis restarts from its AOF (seen: lag 6022 with
 * last-delivered-id equal to the last entry).
 */
export async function drained(redis: Redis, groups: string[]): Promise<void> {
  const stream = (await redis.call('XINFO', 'STREAM', TOPIC)) as unknown[];
  const lastId = stream[stream.indexOf('last-generated-id') + 1];
  const info = (await redis.call('XINFO', 'GROUPS', TOPIC)) as unknown[][];
  for (const group of groups) {
    const entry = info.find((fields) => fields[fields.indexOf('name') + 1] === group);
    if (!entry) throw new Error(`no consumer group ${group}`);
    const pending = Number(entry[entry.indexOf('pending') + 1]);
    const lastDelivered = entry[entry.indexOf('last-delivered-id') + 1];
    const lag = entry[entry.indexOf('lag') + 1];
    if (pending !== 0 || (lastDelivered !== lastId && Number(lag) !== 0)) {
      throw new Error(`${group}: pending ${pending}, last delivered ${String(lastDelivered)} of ${String(lastId)} (lag ${String(lag)})`);
    }
  }
}

/**
 * Reads the topic forward from where it stood when `begin()` ran, so a test looks only at the
 * events of its own run (the stream keeps every earlier run's events).
 */
export class StreamReader {
  private lastId = '0-0';
  private readonly seen: { raw: string; event: { id: string; type: string; data: Record<string, any> } }[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly topic: string = TOPIC,
  ) {}

  async begin(): Promise<void> {
    const last = await this.redis.xrevrange(this.topic, '+', '-', 'COUNT', 1);
    this.lastId = last[0]?.[0] ?? '0-0';
  }

  private async refresh(): Promise<void> {
    for (;;) {
      const entries = await this.redis.xrange(this.topic, `(${this.lastId}`, '+', 'COUNT', 1000);
      for (const [id, fields] of entries) {
        this.lastId = id;
        const raw = fields[fields.indexOf('data') + 1];
        if (raw) this.seen.push({ raw, event: JSON.parse(raw) });
      }
      if (entries.length < 1000) return;
    }
  }

  /** Events since begin() whose JSON contains `marker`, oldest first. */
  async matching(marker: string): Promise<{ id: string; type: string; data: Record<string, any> }[]> {
    await this.refresh();
    return this.seen.filter((entry) => entry.raw.includes(marker)).map((entry) => entry.event);
  }
}
