import pino from 'pino';
import type { Express } from 'express';
import { JoseTokenVerifier } from '../../src/adapters/joseTokenVerifier';
import type { TokenVerifier } from '../../src/ports';
import { loadConfig, type GatewayConfig } from '../../src/config';
import { createGatewayApp } from '../../src/http/app';
import type { RateCounter } from '../../src/ports';
import { MemoryRateCounter, RecordingInvoker } from './standIns';
import type { TestIssuer } from './tokens';

export interface TestGateway {
  app: Express;
  invoker: RecordingInvoker;
  counter: RateCounter;
  config: GatewayConfig;
}

export interface GatewayOptions {
  issuer: TestIssuer;
  invoker?: RecordingInvoker;
  counter?: RateCounter;
  verifier?: TokenVerifier;
  config?: (config: GatewayConfig) => GatewayConfig;
  logger?: pino.Logger;
}

/** The gateway app with the test issuer's keys, an in-process invoker and rate counter. */
export function testGateway(options: GatewayOptions): TestGateway {
  const base = loadConfig();
  const config = options.config ? options.config(base) : base;
  const invoker = options.invoker ?? new RecordingInvoker();
  const counter = options.counter ?? new MemoryRateCounter();
  const tokenVerifier = options.verifier ?? new JoseTokenVerifier(options.issuer.keys, config.auth);
  const app = createGatewayApp({
    config,
    logger: options.logger ?? pino({ level: 'silent' }),
    invoker,
    tokenVerifier,
    rateCounter: counter,
    sidecarHealthy: async () => true,
  });
  return { app, invoker, counter, config };
}
