import fs from 'node:fs';
import path from 'node:path';

// The inside is sealed (issue 13, API.md v2): from this machine — the closest an attacker on the
// network can get — an app answers only its own sidecar (app API token), a sidecar's API answers
// only its app (Dapr API token), sidecars talk mTLS with identities from the local Sentry and the
// access-control policy of dapr/config.yaml decides who invokes what, pub/sub scopes decide who
// publishes where, and nothing but loopback listens.

const ROOT = path.resolve(__dirname, '..', '..');
const tokens = JSON.parse(fs.readFileSync(path.join(ROOT, '.data', 'secrets', 'app-tokens.json'), 'utf8')) as Record<
  string,
  { daprApiToken: string; appApiToken: string }
>;
const PORTS = {
  gateway: [8080, 3500],
  room: [8081, 3501],
  rentcar: [8082, 3502],
  reservation: [8083, 3503],
  payment: [8084, 3504],
  message: [8085, 3505],
  viewpage: [8086, 3506],
  identity: [8087, 3507],
} as const;
type App = keyof typeof PORTS;

async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { status: res.status, text };
}
const sidecar = (app: App) => `http://127.0.0.1:${PORTS[app][1]}`;
const asSidecarOf = (app: App) => ({ 'dapr-api-token': tokens[app].daprApiToken });

describe('the sealed inside', () => {
  it('when an app port is called without its sidecar’s token (or with another app’s), then 401 and nothing happens', async () => {
    const refund = `http://127.0.0.1:${PORTS.payment[0]}/internal/payments/by-reservation/res-sealed-1/refund`;
    expect((await call(refund, { method: 'POST' })).status).toBe(401);
    expect((await call(refund, { method: 'POST', headers: { 'dapr-api-token': tokens.room.appApiToken } })).status).toBe(401);
    const rooms = `http://127.0.0.1:${PORTS.room[0]}/rooms`;
    const body = JSON.stringify({ name: 'Sneaky', city: 'Seoul', pricePerNight: 1 });
    expect(
      (await call(rooms, { method: 'POST', headers: { 'content-type': 'application/json', 'x-staycar-user-id': 'usr_attacker' }, body }))
        .status,
    ).toBe(401);
    // Probes stay open (the sidecar's and Kubernetes' health checks).
    expect((await call(`http://127.0.0.1:${PORTS.payment[0]}/healthz`)).status).toBe(200);
  });

  it('when a sidecar’s API is called without its Dapr API token (or with another app’s), then 401: no state, no publish, no invoke', async () => {
    for (const app of ['room', 'payment', 'reservation'] as const) {
      expect((await call(`${sidecar(app)}/v1.0/state/${app}-store/anything`)).status).toBe(401);
      expect(
        (
          await call(`${sidecar(app)}/v1.0/publish/pubsub/${app}-events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          })
        ).status,
      ).toBe(401);
      expect((await call(`${sidecar(app)}/v1.0/invoke/payment/method/healthz`)).status).toBe(401);
    }
    expect((await call(`${sidecar('payment')}/v1.0/state/payment-store/anything`, { headers: asSidecarOf('room') })).status).toBe(401);
    expect((await call(`${sidecar('gateway')}/v1.0/healthz`)).status).toBe(204);
  });

  it('when room’s sidecar invokes payment’s internal routes, then the access-control policy refuses it; reservation’s may', async () => {
    const byReservation = '/internal/payments/by-reservation/res-sealed-2';
    const fromRoom = await call(`${sidecar('room')}/v1.0/invoke/payment/method${byReservation}`, { headers: asSidecarOf('room') });
    expect(fromRoom.status).toBe(403);
    expect(fromRoom.text).toMatch(/access control policy has denied access to id: spiffe:\/\/public\/ns\/default\/room/);
    const refundFromRoom = await call(`${sidecar('room')}/v1.0/invoke/payment/method${byReservation}/refund`, {
      method: 'POST',
      headers: asSidecarOf('room'),
    });
    expect(refundFromRoom.status).toBe(403);
    // The gateway reaches public routes only; reservation reaches the saga's internal ones.
    expect(
      (await call(`${sidecar('gateway')}/v1.0/invoke/payment/method${byReservation}`, { headers: asSidecarOf('gateway') })).status,
    ).toBe(403);
    expect((await call(`${sidecar('gateway')}/v1.0/invoke/payment/method/healthz`, { headers: asSidecarOf('gateway') })).status).toBe(200);
    const fromReservation = await call(`${sidecar('reservation')}/v1.0/invoke/payment/method${byReservation}`, {
      headers: asSidecarOf('reservation'),
    });
    expect(fromReservation.status).not.toBe(403);
    expect(fromReservation.text).not.toMatch(/access control policy/);
  });

  it('when any sidecar invokes another app’s event routes, then it is refused (only an app’s own sidecar delivers events)', async () => {
    for (const [from, to] of [
      ['reservation', 'room'],
      ['gateway', 'message'],
      ['room', 'viewpage'],
    ] as const) {
      const res = await call(`${sidecar(from)}/v1.0/invoke/${to}/method/events/_bulk`, {
        method: 'POST',
        headers: { ...asSidecarOf(from), 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'ReservationCancelled', data: {} }),
      });
      expect(res.status).toBe(403);
    }
  });

  it('when a service publishes to a topic outside its scope, then its own sidecar refuses it', async () => {
    const publish = (app: App, topic: string) =>
      call(`${sidecar(app)}/v1.0/publish/pubsub/${topic}`, {
        method: 'POST',
        headers: { ...asSidecarOf(app), 'content-type': 'application/json' },
        body: '{"probe":true}',
      });
    expect((await publish('message', 'reservation-events')).status).toBe(403);
    expect((await publish('viewpage', 'room-events')).status).toBe(403);
    expect((await publish('room', 'deadletter-payment')).status).toBe(403);
    // A producer publishes its own family only (its outbox's topic): payment cannot forge a reservation event.
    expect((await publish('payment', 'reservation-events')).status).toBe(403);
    expect((await publish('reservation', 'payment-events')).status).toBe(403);
    expect((await publish('room', 'rentcar-events')).status).toBe(403);
  });

  it('when the listening sockets are listed, then every app, sidecar and metrics port is on loopback only', () => {
    // /proc/net/tcp{,6}: local address as hex ip:port, state 0A = LISTEN.
    const listening = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        .filter((cols) => cols[3] === '0A')
        .map((cols) => {
          const [hexIp, hexPort] = cols[1].split(':') as [string, string];
          const loopback =
            hexIp === '0100007F' || hexIp === '00000000000000000000000001000000' || hexIp === '0000000000000000FFFF00000100007F';
          return { port: parseInt(hexPort, 16), loopback };
        }),
    );
    // App, sidecar HTTP, gRPC, internal gRPC, sidecar metrics, the app's own metrics (METRICS_PORT, dapr.yaml).
    const ours = new Set<number>(
      Object.values(PORTS).flatMap(([app, http]) => [app, http, http + 100, http + 200, http + 5590, app + 1030]),
    );
    expect(listening.filter((l) => ours.has(l.port) && !l.loopback).map((l) => l.port)).toEqual([]);
    expect(listening.some((l) => l.port === PORTS.reservation[1])).toBe(true);
  });
});
