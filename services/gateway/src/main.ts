import { createLogger, runService, Sidecar, runMain } from '@staycar/common';
import { connectRedis, RedisRateCounter } from './adapters/redisRateCounter';
import { DaprServiceInvoker } from './adapters/serviceInvoker';
import { createRemoteKeySet } from './auth/remoteKeySet';
import { JoseTokenVerifier } from './auth/tokenVerifier';
import { loadConfig } from './config';
import { createGatewayApp } from './http/app';

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
  const tokenVerifier = new JoseTokenVerifier(keys, config.auth);

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
