import type { Express } from 'express';
import { createHttpApp, mountSubscriptions, type Logger } from '@staycar/common';
import type { Config } from '../config';

export interface AppDeps {
  config: Config;
  logger: Logger;
  sidecarHealthy: () => Promise<boolean>;
}

export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  return createHttpApp({
    logger,
    readiness: [{ name: 'sidecar', check: deps.sidecarHealthy }],
    routes: (app) => {
      mountSubscriptions(app, {
        pubsub: config.pubsub,
        topic: config.eventsTopic,
        deadLetterTopic: config.deadLetterTopic,
        logger,
        handlers: {},
      });
    },
  });
}
