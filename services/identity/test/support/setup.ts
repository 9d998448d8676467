import { generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import { MemoryStatePort as MemoryState } from '@staycar/common/testing';
import { DaprUserStore } from '../../src/adapters/userStore';
import { createApp } from '../../src/http/app';
import type { SigningKeySource } from '../../src/ports';
import { IdentityService } from '../../src/service';
import { SigningKeyRing, TokenIssuer } from '../../src/tokens';

export const ISSUER = 'staycar-identity';
export const AUDIENCE = 'staycar';
export const TTL_SECONDS = 3600;

export interface TestJwk {
  kty: string;
  crv: string;
  x: string;
  y: string;
  d: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

/** A fresh private ES256 JWK, as scripts/lib/secrets.mjs makes them (kid given here). */
export function privateJwk(kid: string): TestJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y, d } = privateKey.export({ format: 'jwk' });
  return { kty: String(kty), crv: String(crv), x: String(x), y: String(y), d: String(d), kid, alg: 'ES256', use: 'sig' };
}

/** A key source whose value a test can change or break (the secret store's part, not a fake sidecar). */
export class TestKeySource implements SigningKeySource {
  reads = 0;
  failure?: Error;
  constructor(public value: string) {}

  async read(): Promise<string> {
    this.reads++;
    if (this.failure) throw this.failure;
    return this.value;
  }
}

/** The identity app over the in-memory state (the same first-write rules as the Dapr store). */
export function setup(options: { keys?: TestJwk[]; source?: TestKeySource } = {}) {
  const keys = options.keys ?? [privateJwk('key-1')];
  const source = options.source ?? new TestKeySource(JSON.stringify(keys));
  const state = new MemoryState();
  const logger = pino({ level: 'silent' });
  const ring = new SigningKeyRing(source, logger, 0);
  const tokens = new TokenIssuer(ring, { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: TTL_SECONDS });
  const identity = new IdentityService({ users: new DaprUserStore(state), tokens });
  const app = createApp({ logger, identity, sidecarHealthy: async () => true, keysReady: () => ring.current().then(() => true) });
  return { app, state, source, keys, identity };
}
