import type { Express } from 'express';
import type { Server } from 'node:http';
import type { Logger } from './logger';
import type { Sidecar } from './dapr/sidecar';
import { ConfigError } from './config';
import type { StatePort } from './state/port';
import { metricsPortFromEnv, startMetricsServer } from './metrics/server';

export interface RunningService {
  server: Server;
  stop: () => Promise<void>;
}

export interface ServiceParts {
  app: Express;
  port: number;
  logger: Logger;
  sidecar?: Sidecar;
  /** Run once the sidecar answers (e.g. recovering in-flight work). */
  onReady?: () => Promise<void>;
  /** Closes what the service opened (database pools…), after the server stopped taking requests. */
  onStop?: () => Promise<void>;
  shutdownGraceMs?: number;
}

/**
 * Listens first (Dapr waits for the app port before it finishes starting), then waits for the
 * sidecar; exits non-zero with a message that says what to do when it never comes. SIGTERM/SIGINT
 * stop taking requests, let in-flight ones finish, close resources, exit 0.
 */
export async function runService(parts: ServiceParts): Promise<RunningService> {
  const { app, port, logger, sidecar } = parts;
  const host = process.env.APP_HOST ?? '0.0.0.0';
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(port, host, () => resolve(listening));
    listening.once('error', reject);
  }).catch((error: NodeJS.ErrnoException) => {
    logger.fatal(
      error.code === 'EADDRINUSE'
        ? `Port ${port} is in use: stop what runs there (npm run doctor shows it) or set APP_PORT.`
        : `Cannot listen on ${host}:${port}: ${error.message}`,
    );
    process.exit(1);
  });
  server.keepAliveTimeout = 65_000;
  logger.info({ port }, 'listening');
  const metricsPort = metricsPortFromEnv();
  const metricsServer =
    metricsPort === undefined
      ? undefined
      : await startMetricsServer({ port: metricsPort, host, logger }).catch((error: NodeJS.ErrnoException) => {
          logger.fatal(
            error.code === 'EADDRINUSE'
              ? `Port ${metricsPort} (METRICS_PORT) is in use: stop what runs there (npm run doctor shows it) or set METRICS_PORT.`
              : `Cannot serve metrics on ${host}:${metricsPort}: ${error.message}`,
          );
          process.exit(1);
        });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info('shutting down');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = new Promise<void>((resolve) => setTimeout(resolve, parts.shutdownGraceMs ?? 10_000).unref());
      await Promise.race([closed, grace]);
      server.closeAllConnections();
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      await parts.onStop?.().catch((error: unknown) => logger.error({ err: error }, 'error while closing'));
      await sidecar?.stop();
      logger.info('stopped');
    })();
    return stopping;
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void stop().then(() => process.exit(0));
    });
  }

  if (sidecar) {
    try {
      await sidecar.waitUntilReachable();
      logger.info('sidecar reachable');
    } catch (error) {
      logger.fatal((error as Error).message);
      process.exit(1);
    }
  }
  await parts.onReady?.();
  return { server, stop };
}

/**
 * Runs a service's `main`: a bad environment value (ConfigError) is one clear line on stderr and
 * exit code 2, anything else thrown while starting is logged with its stack and exit code 1.
 */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}

/** The readiness check of a service's state store: one read through the port (the key need not exist). */
export const stateStoreAnswers = (state: Pick<StatePort, 'getState'>) => (): Promise<boolean> =>
  state.getState('readiness-probe').then(() => true);
