import { randomBytes } from 'node:crypto';
import { eventually, newUsers, stay, unique } from '../support/api';
import { messageTypes, roomView, statuses } from '../support/view';

// One reservation with a car through the gateway is one trace in the local Zipkin (README
// "Traces"): every app's own spans (OpenTelemetry in the app) and every sidecar's (Dapr's tracing),
// from the gateway through the saga's invocations and state calls to each consumer's handling of
// the events the outbox published. The trace id is the one of the traceparent the client sends.
jest.setTimeout(120_000);

const ZIPKIN = `http://127.0.0.1:${process.env.ZIPKIN_PORT ?? '9411'}`;

/** A span of Zipkin's v2 API (it stores names lower-cased; tags are strings). */
interface ZipkinSpan {
  id: string;
  name?: string;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

/** A span as the test reads it: its service, whether the app or its sidecar made it, its name. */
interface Hop {
  service: string;
  by: 'app' | 'sidecar';
  name: string;
  tags: Record<string, string>;
}

async function trace(traceId: string): Promise<Hop[]> {
  const res = await fetch(`${ZIPKIN}/api/v2/trace/${traceId}`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`Zipkin answered ${res.status} for trace ${traceId}`);
  const spans = (await res.json()) as ZipkinSpan[];
  return spans.map((span) => {
    const tags = span.tags ?? {};
    return {
      service: span.localEndpoint?.serviceName ?? '',
      // The apps' exporter adds their resource to the tags (telemetry.sdk.language: nodejs); daprd's does not.
      by: tags['telemetry.sdk.language'] === 'nodejs' ? ('app' as const) : ('sidecar' as const),
      name: span.name ?? '',
      tags,
    };
  });
}

const made = (hops: Hop[], by: Hop['by']) => [...new Set(hops.filter((h) => h.by === by).map((h) => h.service))].sort();

describe('traces', () => {
  it('when a guest reserves a room with a car through the gateway, then Zipkin holds one trace with every hop, state call and consumer', async () => {
    const city = unique('TraceCity');
    const [roomHost, carHost, guest] = await newUsers(3, 'trace');
    const room = await roomHost.api('POST', '/rooms', { name: 'Traced room', city, pricePerNight: 80000 });
    expect(room.status).toBe(201);
    const car = await carHost.api('POST', '/rentcars', { model: 'Traced car', city, pricePerDay: 30000 });
    expect(car.status).toBe(201);

    const traceId = randomBytes(16).toString('hex');
    const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
    const reserved = await guest.api(
      'POST',
      '/reservations',
      { roomId: room.body.id, carId: car.body.id, ...stay(300, 2) },
      { traceparent },
    );
    expect(reserved.status).toBe(201);
    const reservationId = reserved.body.id as string;
    // Every consumer has done its part (so its spans exist, give or take the exporters' batching).
    await eventually(
      async () =>
        expect(statuses((await roomView(roomHost, room.body.id)).latestReservation)).toEqual({
          status: 'confirmed',
          paymentStatus: 'approved',
          carStatus: 'reserved',
        }),
      30_000,
    );
    await eventually(
      async () => expect(await messageTypes(guest, reservationId)).toEqual(['PaymentApproved', 'RentcarReserved', 'ReservationConfirmed']),
      30_000,
    );

    const everyApp = ['gateway', 'message', 'payment', 'rentcar', 'reservation', 'room', 'viewpage'];
    const hops = await eventually(
      async () => {
        const found = await trace(traceId);
        expect({ apps: made(found, 'app'), sidecars: made(found, 'sidecar') }).toEqual({ apps: everyApp, sidecars: everyApp });
        return found;
      },
      // The apps' exporters send a batch every 5 s, the sidecars' likewise.
      45_000,
      1000,
    );

    const of = (service: string, by: Hop['by']) => hops.filter((h) => h.service === service && h.by === by);
    // The gateway's route, by its template (never the raw path).
    expect(of('gateway', 'app').map((h) => h.name)).toContain('post /reservations');
    // The saga's invocations, through reservation's sidecar to each callee's app.
    for (const callee of ['room', 'rentcar', 'payment']) {
      expect(of(callee, 'app').some((h) => /^post \/internal\//.test(h.name))).toBe(true);
    }
    // State calls (the sidecars' state API, the outbox's transaction among them).
    expect(of('reservation', 'sidecar').some((h) => /state/i.test(h.name))).toBe(true);
    // Each consumer's sidecar delivered an event of this reservation (through the CloudEvent's
    // traceparent), and its app handled it in this trace.
    for (const consumer of ['room', 'rentcar', 'payment', 'message', 'viewpage']) {
      expect(of(consumer, 'sidecar').some((h) => h.name.startsWith('pubsub/'))).toBe(true);
      expect(of(consumer, 'app').some((h) => /^post \/events\//.test(h.name))).toBe(true);
    }
    // No secret in a span: daprd records a request's dapr-* headers, and the apps send their sidecar
    // API token as dapr-api-token (daprd's authentication removes it before the span is finished).
    expect(hops.flatMap((h) => Object.keys(h.tags)).filter((key) => /token|authorization/i.test(key))).toEqual([]);
    // The read model's and the messages' SQL (TypeORM on mysql2), instrumented in the app.
    for (const consumer of ['viewpage', 'message']) {
      expect(of(consumer, 'app').some((h) => (h.tags['db.system.name'] ?? h.tags['db.system']) === 'mysql')).toBe(true);
    }
  });
});
