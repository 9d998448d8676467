import { createLogger, runService, Sidecar, runMain } from '@staycar/common';
import { connectRedis, RedisRateCounter } from './adapters/redisRateCounter';
import { DaprServiceInvoker } from './adapters/serviceInvoker';
import { createRemoteKeySet } from './adapters/remoteKeySet';
import { JoseTokenVerifier } from './adapters/joseTokenVerifier';
import { CachedTokenVerifier } from './adapters/cachedTokenVerifier';
import { loadConfig } from './config';
import { createGatewayApp } from './http/app';

/** About 10,000 × a 0.5 KB token: a few MB at most. */
const TOKEN_CACHE_ENTRIES = 10_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const sidecar = Sidecar.create(config, logger);
  const invoker = new DaprServiceInvoker(sidecar.baseUrl, { apiToken: config.daprApiToken });

  const jwksUrl = new URL(config.auth.jwksUrl);
  // The sidecar's API token goes to our own sidecar only, never to an outside OpenID Connect provider.
  const toOwnSidecar = jwksUrl.origin === new URL(sidecar.baseUrl).origin;
  const keys = createRemoteKeySet(jwksUrl, {
    headers: toOwnSidecar && config.daprApiToken ? { 'dapr-api-token': config.daprApiToken } : {},
    timeoutMs: config.auth.jwksTimeoutMs,
    cooldownMs: config.auth.jwksCooldownMs,
    cacheMaxAgeMs: config.auth.jwksCacheMaxAgeMs,
    staleIfErrorMs: config.auth.jwksStaleIfErrorMs,
    logger,
  });
  const tokenVerifier = new CachedTokenVerifier(new JoseTokenVerifier(keys, config.auth), {
    maxAgeMs: config.auth.tokenCacheMs,
    maxEntries: TOKEN_CACHE_ENTRIES,
  });

  const redis = connectRedis({ ...config.redis, commandTimeoutMs: config.rateLimit.redisTimeoutMs }, logger);
  const rateCounter = new RedisRateCounter(redis);

  const app = createGatewayApp({ config, logger, invoker, tokenVerifier, rateCounter, sidecarHealthy: () => sidecar.isHealthy() });
  await runService({
    app,
    port: config.port,
    logger,
    sidecar,
    onStop: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  });
}

runMain(main);
