import { ConfigError, envInt, envString, loadBaseConfig } from '@staycar/common';

/** Signature algorithms the gateway may accept: asymmetric only, so a public key can never be used as an HMAC secret. */
export const ASYMMETRIC_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

const isAsymmetric = (name: string): name is AsymmetricAlgorithm => (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(name);

/** A comma-separated variable; unset or empty gives `fallback`'s items. */
function list(name: string, fallback: string): string[] {
  const raw = process.env[name];
  return (raw === undefined || raw.trim() === '' ? fallback : raw)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function algorithms(): AsymmetricAlgorithm[] {
  const names = list('AUTH_ALGORITHMS', 'ES256,EdDSA,RS256');
  const refused = names.filter((name) => !isAsymmetric(name));
  if (names.length === 0 || refused.length > 0) {
    throw new ConfigError(
      `AUTH_ALGORITHMS must list asymmetric JWS algorithms (${ASYMMETRIC_ALGORITHMS.join(', ')}); refused: "${refused.join(',')}".`,
    );
  }
  return names.filter(isAsymmetric);
}

/** Express's `trust proxy`: off, a hop count, or the proxies' addresses/CIDRs (never "trust everybody"). */
export type TrustProxy = false | number | string[];

function trustProxy(): TrustProxy {
  const raw = (process.env.TRUST_PROXY ?? '').trim();
  if (raw === '' || raw.toLowerCase() === 'false') return false;
  if (raw.toLowerCase() === 'true') {
    throw new ConfigError(
      'TRUST_PROXY=true would let any client pick its own address with X-Forwarded-For; give the number of proxies in front (e.g. 1) or their addresses/CIDRs.',
    );
  }
  if (/^\d+$/.test(raw)) return Number(raw);
  return list('TRUST_PROXY', '');
}

function optional(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function loadConfig() {
  const base = loadBaseConfig('gateway', 8080);
  const appIds = {
    identity: envString('IDENTITY_APP_ID', 'identity'),
    room: envString('ROOM_APP_ID', 'room'),
    rentcar: envString('RENTCAR_APP_ID', 'rentcar'),
    reservation: envString('RESERVATION_APP_ID', 'reservation'),
    payment: envString('PAYMENT_APP_ID', 'payment'),
    message: envString('MESSAGE_APP_ID', 'message'),
    viewpage: envString('VIEWPAGE_APP_ID', 'viewpage'),
  };
  const sidecarUrl = `http://${base.daprHost}:${base.daprHttpPort}`;
  return {
    ...base,
    /** App ids of the services behind the gateway (names live in dapr.yaml / manifests, not code). */
    appIds,
    sidecarUrl,
    /** Sent to our own sidecar as `dapr-api-token` when its API is protected. */
    daprApiToken: optional('DAPR_API_TOKEN'),
    /** How long the gateway waits for a service before answering 503 TRY_LATER. */
    upstreamTimeoutMs: envInt('UPSTREAM_TIMEOUT_MS', 15_000, { min: 100 }),
    healthProbeTimeoutMs: envInt('HEALTH_PROBE_TIMEOUT_MS', 1500, { min: 100 }),
    /** Load shedding: reservation requests in flight through this gateway before it answers 503 at once. */
    maxInflightReservations: envInt('MAX_INFLIGHT_RESERVATIONS', 64, { min: 1 }),
    /** The same bound for every other route (reads, catalog writes). */
    maxInflightOther: envInt('MAX_INFLIGHT_OTHER', 512, { min: 1 }),
    auth: {
      issuer: envString('AUTH_ISSUER', 'staycar-identity'),
      audience: envString('AUTH_AUDIENCE', 'staycar'),
      /** Default: the identity app's keys, through our own sidecar (service invocation). */
      jwksUrl: envString('AUTH_JWKS_URL', `${sidecarUrl}/v1.0/invoke/${appIds.identity}/method/auth/jwks.json`),
      algorithms: algorithms(),
      clockToleranceSeconds: envInt('AUTH_CLOCK_TOLERANCE_SECONDS', 5, { max: 300 }),
      jwksTimeoutMs: envInt('AUTH_JWKS_TIMEOUT_MS', 2000, { min: 100, max: 60_000 }),
      /** After a fetch, an unknown `kid` triggers another fetch only once this has passed. */
      jwksCooldownMs: envInt('AUTH_JWKS_COOLDOWN_SECONDS', 30, { min: 1, max: 3600 }) * 1000,
      /** Keys are refetched when older than this (a rotated-out key stops being accepted). */
      jwksCacheMaxAgeMs: envInt('AUTH_JWKS_CACHE_MAX_AGE_SECONDS', 600, { min: 1, max: 86_400 }) * 1000,
      /** While a refetch fails, the last keys fetched stay in use up to this age (0: never). */
      jwksStaleIfErrorMs: envInt('AUTH_JWKS_STALE_IF_ERROR_SECONDS', 3600, { max: 7 * 86_400 }) * 1000,
      /** A verified token is reused this long without checking its signature again (0: every request). */
      tokenCacheMs: envInt('AUTH_TOKEN_CACHE_SECONDS', 60, { max: 300 }) * 1000,
      /** Usernames (`preferred_username`) forwarded as operators (API.md "Operators"). */
      adminUsernames: new Set(list('ADMIN_USERNAMES', '')),
    },
    rateLimit: {
      /** Every allow-listed call, per caller (user id, or client address when anonymous); 0 turns it off. */
      perMinute: envInt('RATE_LIMIT_PER_MINUTE', 6000),
      /** POST /auth/token per client address and username (password guessing); 0 turns it off. */
      authTokenPerMinute: envInt('AUTH_TOKEN_LIMIT_PER_MINUTE', 10),
      /** POST /auth/signup per client address; 0 turns it off. */
      authSignupPerMinute: envInt('AUTH_SIGNUP_LIMIT_PER_MINUTE', 600),
      /** Past this, a Redis call counts as failed and the request is served (fail open). */
      redisTimeoutMs: envInt('RATE_LIMIT_REDIS_TIMEOUT_MS', 200, { min: 10, max: 5000 }),
    },
    redis: {
      url: envString('REDIS_URL', 'redis://127.0.0.1:6379'),
      password: optional('REDIS_PASSWORD'),
    },
    trustProxy: trustProxy(),
  };
}

export type GatewayConfig = ReturnType<typeof loadConfig>;
export type ServiceName = keyof GatewayConfig['appIds'];
