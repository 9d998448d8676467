import { envInt, envString, loadBaseConfig } from '@staycar/common';

export function loadConfig() {
  const base = loadBaseConfig('gateway', 8080);
  return {
    ...base,
    /** App ids of the services behind the gateway (names live in dapr.yaml / manifests, not code). */
    appIds: {
      room: envString('ROOM_APP_ID', 'room'),
      rentcar: envString('RENTCAR_APP_ID', 'rentcar'),
      reservation: envString('RESERVATION_APP_ID', 'reservation'),
      payment: envString('PAYMENT_APP_ID', 'payment'),
      message: envString('MESSAGE_APP_ID', 'message'),
      viewpage: envString('VIEWPAGE_APP_ID', 'viewpage'),
    },
    /** How long the gateway waits for a service before answering 503 TRY_LATER. */
    upstreamTimeoutMs: envInt('UPSTREAM_TIMEOUT_MS', 15_000, { min: 100 }),
    healthProbeTimeoutMs: envInt('HEALTH_PROBE_TIMEOUT_MS', 1500, { min: 100 }),
    /** Load shedding: reservation requests in flight through this gateway before it answers 503 at once. */
    maxInflightReservations: envInt('MAX_INFLIGHT_RESERVATIONS', 64, { min: 1 }),
    /** The same bound for every other route (reads, catalog writes). */
    maxInflightOther: envInt('MAX_INFLIGHT_OTHER', 512, { min: 1 }),
  };
}

export type GatewayConfig = ReturnType<typeof loadConfig>;
export type ServiceName = keyof GatewayConfig['appIds'];
