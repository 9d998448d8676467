import type { Express } from 'express';
import { createHttpApp, parseBody, readinessChecks, type Logger } from '@staycar/common';
import type { IdentityUseCases } from '../app';
import { SignupBody, TokenBody } from './schemas';

export interface AppDeps {
  logger: Logger;
  identity: IdentityUseCases;
  sidecarHealthy: () => Promise<boolean>;
  /** The user store answers a read through the sidecar. */
  storeHealthy?: () => Promise<boolean>;
  /** The signing keys could be read (tokens can be issued). */
  keysReady?: () => Promise<boolean>;
}

/** Clients and the gateway may cache the key set this long; a rotation keeps old keys published longer. */
const JWKS_MAX_AGE_SECONDS = 300;

export function createApp(deps: AppDeps): Express {
  const { logger, identity } = deps;
  return createHttpApp({
    logger,
    readiness: [...readinessChecks(deps, 'userstore'), ...(deps.keysReady ? [{ name: 'signingKeys', check: deps.keysReady }] : [])],
    routes: (app) => {
      // ---- public (through the gateway, no token needed) ----
      app.post('/auth/signup', async (req, res) => {
        const user = await identity.signUp(parseBody(SignupBody, req.body));
        res.status(201).json(user);
      });
      app.post('/auth/token', async (req, res) => {
        const token = await identity.signIn(parseBody(TokenBody, req.body));
        // RFC 6749 §5.1: a token answer is never cached.
        res.setHeader('Cache-Control', 'no-store').setHeader('Pragma', 'no-cache').json(token);
      });
      app.get('/auth/jwks.json', async (_req, res) => {
        const jwks = await identity.jwks();
        res.setHeader('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`).json(jwks);
      });
    },
  });
}
