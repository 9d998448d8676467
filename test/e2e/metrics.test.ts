import { spawnSync } from 'node:child_process';
import { metricSamples, metricSum } from '@staycar/common/testing';
import { api, eventually, GATEWAY_URL, newUser, stay, type User } from '../support/api';
import { metricsPorts, portsOf, scrape } from '../support/metrics';

// Each app's own Prometheus metrics (@staycar/common metrics; docs/observability.md), read the way
// Prometheus reads them: GET /metrics on the app's METRICS_PORT from dapr.yaml, after real
// requests through the gateway. Counters are compared before and after (the system is shared
// with the other suites of the run).

const counter = async (appId: string, name: string, labels: Record<string, string> = {}) =>
  metricSum(await scrape(portsOf(appId).app), name, labels);

let host: User;
let guest: User;
beforeAll(async () => {
  [host, guest] = [await newUser('metrics-host'), await newUser('metrics-guest')];
});

const newRoom = async (): Promise<string> => {
  const res = await host.api('POST', '/rooms', { name: 'Metered', city: 'Seoul', pricePerNight: 50_000 });
  expect(res.status).toBe(201);
  return res.body.id as string;
};

describe('metrics from every app', () => {
  it('when GET /metrics is asked of every app and sidecar port in dapr.yaml, then all 16 answer with process metrics', async () => {
    const ports = metricsPorts();
    expect(ports).toHaveLength(8);
    for (const { appId, app, sidecar } of ports) {
      const own = metricSamples(await scrape(app)).map((s) => s.name);
      expect([appId, own]).toEqual([appId, expect.arrayContaining(['process_cpu_seconds_total', 'nodejs_heap_size_used_bytes'])]);
      expect(await scrape(sidecar)).toContain('dapr_runtime_');
    }
  });

  it('when a saga is confirmed and another is refused, then the apps count them by route template, outcome and reason, and name no id', async () => {
    const roomId = await newRoom();
    const dates = stay(40, 2);
    const before = {
      gateway201: await counter('gateway', 'staycar_http_requests_total', { method: 'POST', route: '/reservations', status: '201' }),
      gateway409: await counter('gateway', 'staycar_http_requests_total', { method: 'POST', route: '/reservations', status: '409' }),
      confirmed: await counter('reservation', 'staycar_saga_outcomes_total', { outcome: 'confirmed', reason: 'none' }),
      refused: await counter('reservation', 'staycar_saga_outcomes_total', { outcome: 'refused', reason: 'ROOM_UNAVAILABLE' }),
      declined: await counter('reservation', 'staycar_saga_outcomes_total', { outcome: 'refused', reason: 'PAYMENT_DECLINED' }),
      compensated: await counter('reservation', 'staycar_saga_compensations_total', { by: 'saga', result: 'complete' }),
      roomHolds: await counter('room', 'staycar_http_requests_total', { method: 'POST', route: '/internal/rooms/:id/holds' }),
      messageEvents: await counter('message', 'staycar_event_handling_seconds_count', { type: 'ReservationConfirmed', verdict: 'success' }),
      viewEvents: await counter('viewpage', 'staycar_event_handling_seconds_count', { type: 'ReservationConfirmed', verdict: 'success' }),
      sent: await counter('message', 'staycar_message_deliveries_total', { result: 'sent' }),
    };

    const confirmed = await guest.api('POST', '/reservations', { roomId, ...dates });
    expect(confirmed.status).toBe(201);
    const refused = await guest.api('POST', '/reservations', { roomId, ...dates });
    expect([refused.status, refused.body.error?.code]).toEqual([409, 'ROOM_UNAVAILABLE']);
    const declined = await guest.api('POST', '/reservations', {
      roomId,
      ...stay(50, 1),
      payment: { method: 'card', token: 'tok_declined' },
    });
    expect([declined.status, declined.body.error?.code]).toEqual([402, 'PAYMENT_DECLINED']);

    expect(
      await counter('gateway', 'staycar_http_requests_total', { method: 'POST', route: '/reservations', status: '201' }),
    ).toBeGreaterThan(before.gateway201);
    expect(
      await counter('gateway', 'staycar_http_requests_total', { method: 'POST', route: '/reservations', status: '409' }),
    ).toBeGreaterThan(before.gateway409);
    expect(await counter('reservation', 'staycar_saga_outcomes_total', { outcome: 'confirmed', reason: 'none' })).toBeGreaterThan(
      before.confirmed,
    );
    expect(await counter('reservation', 'staycar_saga_outcomes_total', { outcome: 'refused', reason: 'ROOM_UNAVAILABLE' })).toBeGreaterThan(
      before.refused,
    );
    expect(await counter('reservation', 'staycar_saga_outcomes_total', { outcome: 'refused', reason: 'PAYMENT_DECLINED' })).toBeGreaterThan(
      before.declined,
    );
    // The declined payment came after the room's hold: the saga released it.
    expect(await counter('reservation', 'staycar_saga_compensations_total', { by: 'saga', result: 'complete' })).toBeGreaterThan(
      before.compensated,
    );
    // room answered the saga's holds on its internal route, counted under the route's template.
    expect(
      await counter('room', 'staycar_http_requests_total', { method: 'POST', route: '/internal/rooms/:id/holds' }),
    ).toBeGreaterThanOrEqual(before.roomHolds + 3);
    // The consumers handled the confirmed reservation's event (asynchronously: through the outbox and the broker).
    await eventually(
      async () => {
        expect(
          await counter('message', 'staycar_event_handling_seconds_count', { type: 'ReservationConfirmed', verdict: 'success' }),
        ).toBeGreaterThan(before.messageEvents);
        expect(
          await counter('viewpage', 'staycar_event_handling_seconds_count', { type: 'ReservationConfirmed', verdict: 'success' }),
        ).toBeGreaterThan(before.viewEvents);
        expect(await counter('message', 'staycar_message_deliveries_total', { result: 'sent' })).toBeGreaterThan(before.sent);
      },
      30_000,
      500,
    );

    // Route labels are templates: no app names the room, the reservation or the guest.
    const ids = [roomId, confirmed.body.id as string, guest.userId];
    for (const { appId, app } of metricsPorts()) {
      const text = await scrape(app);
      for (const id of ids) expect([appId, text.includes(id)]).toEqual([appId, false]);
      const routes = new Set(metricSamples(text).flatMap((s) => (s.name === 'staycar_http_requests_total' ? [s.labels.route] : [])));
      for (const route of routes) expect(route).toMatch(/^(unmatched|static|\/[\w/:.-]*)$/);
    }
  });

  it('when a request is repeated with its Idempotency-Key, then reservation counts an idempotent replay', async () => {
    const roomId = await newRoom();
    const before = await counter('reservation', 'staycar_idempotent_replays_total', { result: 'replayed' });
    const key = `metrics-${Date.now()}`;
    const body = { roomId, ...stay(60, 1) };
    expect((await guest.api('POST', '/reservations', body, { 'idempotency-key': key })).status).toBe(201);
    expect((await guest.api('POST', '/reservations', body, { 'idempotency-key': key })).status).toBe(201);
    expect(await counter('reservation', 'staycar_idempotent_replays_total', { result: 'replayed' })).toBe(before + 1);
  });
});

describe('metrics are not public (the attacker’s view)', () => {
  it('when /metrics is asked of the public gateway, in any spelling, then 404 and no metric in the answer', async () => {
    for (const path of ['/metrics', '/metrics/', '/metrics?format=text', '/METRICS', '/./metrics', '/%6detrics']) {
      const res = await fetch(`${GATEWAY_URL}${path}`);
      const text = await res.text();
      expect([path, res.status]).toEqual([path, 404]);
      expect(text).not.toContain('process_cpu_seconds_total');
      expect(text).not.toContain('staycar_http_requests_total');
    }
    const anonymous = await api('GET', '/metrics');
    expect(anonymous.status).toBe(404);
  });

  it('when the metrics ports are looked at from outside, then each app listens on loopback only', () => {
    const listening = spawnSync('ss', ['-Htln'], { encoding: 'utf8' }).stdout;
    for (const { appId, app } of metricsPorts()) {
      const local = listening
        .split('\n')
        .map((line) => line.trim().split(/\s+/)[3])
        .filter((address): address is string => address !== undefined && address.endsWith(`:${app}`));
      expect([appId, local]).toEqual([appId, [`127.0.0.1:${app}`]]);
    }
  });
});
