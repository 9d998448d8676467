import { createLogger, runService, Sidecar } from '@staycar/common';
import { ServiceInvoker } from './adapters/serviceInvoker';
import { loadConfig } from './config';
import { createGatewayApp } from './http/app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.appId, config.logLevel);
  const sidecar = Sidecar.create(config, logger);
  const invoker = new ServiceInvoker(sidecar.baseUrl);
  const app = createGatewayApp({ config, logger, invoker, sidecarHealthy: () => sidecar.isHealthy() });
  await runService({ app, port: config.port, logger, sidecar });
}

void main();
