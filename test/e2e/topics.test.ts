import fs from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { parse as parseYaml } from 'yaml';
import { api, eventually, newUsers, stay, unique, type User } from '../support/api';
import { CONSUMER_TOPICS, FAMILY_TOPICS, PUBSUB } from '../support/events';
import { onRedisStreams } from '../support/profile';
import { asSidecarOf, sidecarUrl } from '../support/sidecars';
import { messageTypes, roomView, statuses } from '../support/view';

// Issue 15, levers 1 and 4, against the real system: every event goes only where it is consumed
// (a topic per producing family; each consumer's sidecar subscribes to the families it reads), and
// message and viewpage take their events in batches (Dapr bulk subscribe) where one bad event fails
// only itself. Deliveries are counted from each sidecar's own Prometheus metrics.

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..');
const APPS = (
  parseYaml(fs.readFileSync(path.join(ROOT, 'dapr.yaml'), 'utf8')) as {
    apps: { appID: string; metricsPort: number; env?: Record<string, string> }[];
  }
).apps;
/** Whether an app takes its events in batches (BULK_MAX_MESSAGES > 0 in dapr.yaml; viewpage does not: README "Measured", lever 4). */
const takesBatches = (appId: string) => Number(APPS.find((a) => a.appID === appId)?.env?.BULK_MAX_MESSAGES ?? 0) > 0;
const CONSUMERS = ['room', 'rentcar', 'payment', 'message', 'viewpage'];
const deadLetterOf = (app: string) => `deadletter-${app}`;

type Deliveries = Record<string, Record<string, number>>;

/**
 * Events delivered so far per app and topic: one-by-one deliveries, plus `bulk_event_count` for the
 * bulk consumers. That metric is a Count view over recordings of (batch, status), not a sum of
 * entries (pkg/diagnostics/component_monitoring.go): it equals the events only while each batch
 * holds one event per status — true below, where each topic carries one event of the reservation.
 */
async function deliveries(): Promise<Deliveries> {
  const out: Deliveries = {};
  for (const app of APPS.filter((a) => CONSUMERS.includes(a.appID))) {
    const text = await (await fetch(`http://127.0.0.1:${app.metricsPort}/`)).text();
    const topics: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const m = /^dapr_component_pubsub_ingress_(count|bulk_event_count)\{.*topic="([^"]+)".*\} (\d+)/.exec(line);
      if (m) topics[m[2]] = (topics[m[2]] ?? 0) + Number(m[3]);
    }
    out[app.appID] = topics;
  }
  return out;
}

/** Bulk deliveries (app calls) so far per app and topic. */
async function bulkCalls(appId: string): Promise<Record<string, number>> {
  const port = APPS.find((a) => a.appID === appId)!.metricsPort;
  const text = await (await fetch(`http://127.0.0.1:${port}/`)).text();
  const calls: Record<string, number> = {};
  for (const m of text.matchAll(/^dapr_component_pubsub_ingress_bulk_count\{.*topic="([^"]+)".*\} (\d+)$/gm)) {
    calls[m[1]] = (calls[m[1]] ?? 0) + Number(m[2]);
  }
  return calls;
}

const since = (before: Deliveries, after: Deliveries): Deliveries =>
  Object.fromEntries(
    Object.entries(after).map(([app, topics]) => [
      app,
      Object.fromEntries(
        Object.entries(topics)
          .map(([topic, n]) => [topic, n - (before[app]?.[topic] ?? 0)] as const)
          .filter(([, n]) => n !== 0),
      ),
    ]),
  );

let host: User;
let guest: User;
const redis = new Redis({ port: Number(process.env.REDIS_PORT ?? 6379), lazyConnect: true });
beforeAll(async () => {
  [host, guest] = await newUsers(2, 'topics');
  await redis.connect();
});
afterAll(() => redis.disconnect());

describe('every event only where it is consumed', () => {
  it('when each sidecar is asked what it subscribes to, then a consumer reads exactly the topics of the families it consumes and its dead-letter topic; reservation reads none', async () => {
    for (const app of [...CONSUMERS, 'reservation']) {
      const res = await fetch(`${sidecarUrl(app)}/v1.0/metadata`, { headers: asSidecarOf(app) });
      expect(res.status).toBe(200);
      const { subscriptions = [] } = (await res.json()) as { subscriptions?: { pubsubname: string; topic: string }[] };
      const topics = subscriptions.filter((s) => s.pubsubname === PUBSUB).map((s) => s.topic);
      const expected = CONSUMER_TOPICS[app] ? [...CONSUMER_TOPICS[app], deadLetterOf(app)] : [];
      expect([app, topics.sort()]).toEqual([app, expected.sort()]);
    }
    // The families and their readers, as docs/contracts.md says: payment and room never read payment's or room's own family.
    expect(CONSUMER_TOPICS.payment).toEqual([FAMILY_TOPICS.reservation]);
    expect(CONSUMER_TOPICS.room).toEqual([FAMILY_TOPICS.reservation]);
    expect(CONSUMER_TOPICS.message).not.toContain(FAMILY_TOPICS.room);
  });

  it('when a guest reserves a room with a car, then 9 events are delivered (each consumer only its families) instead of 3 events × 5 consumers', async () => {
    const room = await host.api('POST', '/rooms', { name: 'Topics room', city: 'Seoul', pricePerNight: 100_000 });
    const car = await host.api('POST', '/rentcars', { model: 'Topics car', city: 'Seoul', pricePerDay: 40_000 });
    expect([room.status, car.status]).toEqual([201, 201]);
    // The registrations' own deliveries are over once both show in the view's lists.
    await eventually(async () => {
      const [rooms, cars] = await Promise.all([api('GET', '/rooms?city=Seoul&limit=100'), api('GET', '/rentcars?city=Seoul&limit=100')]);
      const listed = (body: { items: { id: string }[] }, id: string) => body.items.some((i) => i.id === id);
      if (!listed(rooms.body, room.body.id) && (await api('GET', `/rooms/${room.body.id}`)).status !== 200) throw new Error('room not yet');
      if (!listed(cars.body, car.body.id) && (await api('GET', `/rentcars/${car.body.id}`)).status !== 200) throw new Error('car not yet');
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const before = await deliveries();

    const reserved = await guest.api('POST', '/reservations', {
      roomId: room.body.id,
      carId: car.body.id,
      ...stay(40, 2),
      payment: { method: 'card', token: 'tok_visa' },
    });
    expect(reserved.status).toBe(201);
    const reservationId = reserved.body.id as string;
    await eventually(async () => {
      const row = (await roomView(host, room.body.id)).reservations?.find(
        (r: { reservationId: string }) => r.reservationId === reservationId,
      );
      expect(statuses(row)).toEqual({ status: 'confirmed', paymentStatus: 'approved', carStatus: 'reserved' });
      expect(await messageTypes(guest, reservationId)).toHaveLength(3);
    }, 30_000);

    const { reservation, payment, rentcar } = FAMILY_TOPICS;
    const expected: Deliveries = {
      room: { [reservation]: 1 },
      rentcar: { [reservation]: 1 },
      payment: { [reservation]: 1 },
      message: { [reservation]: 1, [payment]: 1, [rentcar]: 1 },
      viewpage: { [reservation]: 1, [payment]: 1, [rentcar]: 1 },
    };
    const delivered = await eventually(
      async () => {
        const d = since(before, await deliveries());
        expect(d).toEqual(expected);
        return d;
      },
      30_000,
      500,
    );
    const total = Object.values(delivered).reduce((n, topics) => n + Object.values(topics).reduce((a, b) => a + b, 0), 0);
    console.log(`deliveries for one reservation with a car: ${total} — ${JSON.stringify(delivered)}`);
  });

  it('when a producer publishes to another family’s topic, or a consumer to any topic but its dead-letter topic, then its own sidecar refuses it (403)', async () => {
    const publish = (app: string, topic: string) =>
      fetch(`${sidecarUrl(app)}/v1.0/publish/${PUBSUB}/${topic}`, {
        method: 'POST',
        headers: { ...asSidecarOf(app), 'content-type': 'application/json' },
        body: '{"probe":true}',
      });
    expect((await publish('payment', FAMILY_TOPICS.reservation)).status).toBe(403);
    expect((await publish('rentcar', FAMILY_TOPICS.room)).status).toBe(403);
    expect((await publish('viewpage', FAMILY_TOPICS.payment)).status).toBe(403);
    expect((await publish('message', deadLetterOf('viewpage'))).status).toBe(403);
  });
});

describe('batched consumers (Dapr bulk subscribe)', () => {
  const roomEvent = (roomId: string, city: string, extra: object = {}) => ({
    specversion: '1.0',
    id: `${roomId}-registered`,
    source: 'e2e-topics',
    type: 'RoomRegistered',
    datacontenttype: 'application/json',
    data: { roomId, hostId: host.userId, name: `Batch ${roomId}`, city, pricePerNight: 1000, version: 1, ...extra },
  });

  /** Dapr's bulk publish through room's sidecar: the events reach the stream together, so viewpage's sidecar batches them. */
  async function publishTogether(events: object[]): Promise<void> {
    const res = await fetch(`${sidecarUrl('room')}/v1.0-alpha1/publish/bulk/${PUBSUB}/${FAMILY_TOPICS.room}`, {
      method: 'POST',
      headers: { ...asSidecarOf('room'), 'content-type': 'application/json' },
      body: JSON.stringify(events.map((event, i) => ({ entryId: String(i), event, contentType: 'application/cloudevents+json' }))),
    });
    expect(res.status).toBe(204);
  }

  const deadLettered = async (app: string, marker: string): Promise<boolean> => {
    const entries = await redis.xrevrange(deadLetterOf(app), '+', '-', 'COUNT', 500);
    return entries.some(([, fields]) => fields[fields.indexOf('data') + 1]?.includes(marker));
  };

  it('when a batch carries one poison event among good ones, then only that one is dead-lettered and every other one is in the view', async () => {
    const city = unique('BatchCity');
    const good = Array.from({ length: 8 }, () => unique('batch-room'));
    const poison = unique('batch-poison');
    const callsBefore = (await bulkCalls('viewpage'))[FAMILY_TOPICS.room] ?? 0;

    await publishTogether([
      ...good.slice(0, 4).map((id) => roomEvent(id, city)),
      // No name and a negative price: the view's schema refuses it (PoisonEventError → DROP).
      roomEvent(poison, city, { name: undefined, pricePerNight: -1 }),
      ...good.slice(4).map((id) => roomEvent(id, city)),
    ]);

    const listed = await eventually(async () => {
      const res = await api('GET', `/rooms?city=${encodeURIComponent(city)}&limit=50`);
      const ids = (res.body.items as { id: string }[]).map((r) => r.id).sort();
      expect(ids).toEqual([...good].sort());
      return ids;
    }, 30_000);
    expect(listed).not.toContain(poison);
    if (onRedisStreams) {
      await eventually(async () => expect(await deadLettered('viewpage', poison)).toBe(true), 30_000);
      for (const id of good) expect(await deadLettered('viewpage', id)).toBe(false);
    }
    // Batched: the 9 events published together reached viewpage in fewer bulk calls than events;
    // one by one (viewpage's setting in dapr.yaml), in no bulk call at all.
    const calls = ((await bulkCalls('viewpage'))[FAMILY_TOPICS.room] ?? 0) - callsBefore;
    if (takesBatches('viewpage')) {
      expect(calls).toBeGreaterThan(0);
      expect(calls).toBeLessThan(9);
    } else {
      expect(calls).toBe(0);
    }
  });

  it("when message is configured for batches, then its sidecar delivers them in bulk calls (a saga's events arrive that way)", async () => {
    expect(takesBatches('message')).toBe(true);
    const before = await bulkCalls('message');
    const [traveller] = await newUsers(1, 'topics-bulk');
    const res = await host.api('POST', '/rooms', { hostId: host.userId, name: 'Bulk room', city: unique('BulkCity'), pricePerNight: 1000 });
    expect(res.status).toBe(201);
    const reservation = await traveller.api('POST', '/reservations', {
      roomId: res.body.id,
      ...stay(120, 1),
      payment: { method: 'card', token: 'tok_visa' },
    });
    expect(reservation.status).toBe(201);
    await eventually(
      async () => expect(await messageTypes(traveller, reservation.body.id as string)).toEqual(['PaymentApproved', 'ReservationConfirmed']),
      30_000,
    );
    const after = await bulkCalls('message');
    const grew = (topic: string) => (after[topic] ?? 0) - (before[topic] ?? 0);
    expect(grew(FAMILY_TOPICS.reservation)).toBeGreaterThan(0);
    expect(grew(FAMILY_TOPICS.payment)).toBeGreaterThan(0);
  });

  it('when message and viewpage are delivered an event they can never use, then each dead-letters it and goes on with the next', async () => {
    const marker = unique('poison-payment');
    const res = await fetch(
      `${sidecarUrl('payment')}/v1.0/publish/${PUBSUB}/${FAMILY_TOPICS.payment}?metadata.cloudevent.type=PaymentApproved`,
      {
        method: 'POST',
        headers: { ...asSidecarOf('payment'), 'content-type': 'application/json' },
        // No reservationId: neither consumer can place it.
        body: JSON.stringify({ paymentId: marker, version: 1 }),
      },
    );
    expect(res.status).toBe(204);
    if (onRedisStreams) {
      await eventually(async () => {
        expect(await deadLettered('message', marker)).toBe(true);
        expect(await deadLettered('viewpage', marker)).toBe(true);
      }, 30_000);
    }
    // And the next good event is applied as usual.
    const city = unique('AfterPoison');
    const roomId = unique('after-poison');
    await publishTogether([roomEvent(roomId, city)]);
    await eventually(async () => {
      const list = await api('GET', `/rooms?city=${encodeURIComponent(city)}`);
      expect((list.body.items as { id: string }[]).map((r) => r.id)).toEqual([roomId]);
    }, 30_000);
  });
});
