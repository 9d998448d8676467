/**
 * Loaded before an app's own modules (`node --require @staycar/common/dist/telemetry/register
 * dist/main.js`: dapr.yaml's commands, the Dockerfile's CMD), so the instrumentations can wrap
 * http, express, mysql2, pg and ioredis before anything requires them. With tracing off
 * (config.ts) it returns without loading the SDK: no cost at all.
 */
import { ConfigError } from '../config';
import { loadTracingConfig, type TracingConfig } from './config';
// Erased from the output: a type, not a load of the SDK.
import type { startTracing } from './sdk';

function load(): TracingConfig {
  try {
    return loadTracingConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // As runMain reports a bad environment value (lifecycle.ts).
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(2);
  }
}

const config = load();
if (config.enabled) {
  // Required only here, so that with tracing off none of the SDK is ever loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./sdk') as { startTracing: typeof startTracing }).startTracing(config);
}
