import { createLogger, runService, Sidecar } from '@staycar/common';
import { loadConfig } from './config';
import { createApp } from './http/app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const sidecar = Sidecar.create(config, logger);
  const app = createApp({ config, logger, sidecarHealthy: () => sidecar.isHealthy() });
  await runService({ app, port: config.port, logger, sidecar });
}

void main();
