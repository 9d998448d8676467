import { createLogger, runService, Sidecar, runMain, stateStoreAnswers } from '@staycar/common';
import { DaprSigningKeySource } from './adapters/signingKeySource';
import { DaprUserStore } from './adapters/userStore';
import { loadConfig } from './config';
import { createApp } from './http/app';
import { IdentityService } from './service';
import { SigningKeyRing, TokenIssuer } from './tokens';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const sidecar = Sidecar.create(config, logger);
  const keys = new SigningKeyRing(new DaprSigningKeySource(sidecar, config.secretStore, config.signingKeysSecret), logger);
  const tokens = new TokenIssuer(keys, { issuer: config.issuer, audience: config.audience, ttlSeconds: config.tokenTtlSeconds });
  const identity = new IdentityService({ users: new DaprUserStore(sidecar), tokens });
  const app = createApp({
    logger,
    identity,
    sidecarHealthy: () => sidecar.isHealthy(),
    storeHealthy: stateStoreAnswers(sidecar),
    keysReady: () => keys.current().then(() => true),
  });
  await runService({
    app,
    port: config.port,
    logger,
    sidecar,
    // Read the keys and make the unknown-user hash now rather than on the first sign-in. A failure
    // is logged by the key ring and retried on the next request; /readyz says not ready meanwhile.
    onReady: async () => {
      await Promise.all([keys.current().catch(() => undefined), identity.unknownUserHash()]);
    },
  });
}

runMain(main);
