#!/usr/bin/env node
// `npm start`: every app of dapr.yaml beside its own daprd, output prefixed per app; an app or
// sidecar that dies is started again (scripts/lib/supervisor.mjs); Ctrl-C stops them all. Redis
// and MariaDB keep running (they are shared infrastructure; stop them by hand).
import { supervise } from './lib/supervisor.mjs';
import { loadApps, startAll, stopAll } from './lib/system.mjs';
import { readTracingPlan, zipkinUrl } from './lib/tracing.mjs';

const apps = loadApps();
const width = Math.max(...apps.map((a) => `${a.appID}.daprd`.length));
const quiet = process.env.STAYCAR_QUIET === '1';
const onLine = (label, line) => {
  if (!quiet && line.trim()) process.stdout.write(`${label.padEnd(width)} | ${line}\n`);
};

let stopping = false;
let supervisor;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  supervisor?.stop();
  console.log('\nstopping staycar…');
  await stopAll();
  console.log('stopped (Redis and MariaDB keep running).');
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  await startAll({ onLine });
} catch (error) {
  console.error(`\n✖ ${error.message}`);
  await shutdown(1);
}
const gateway = apps.find((a) => a.appID === 'gateway');
console.log(`\n✔ staycar is up: http://localhost:${gateway.appPort}/ (dashboard), health at /healthz`);
const tracing = readTracingPlan();
console.log(`  traces: ${tracing.enabled ? (tracing.localZipkin ? `Zipkin at ${zipkinUrl()}/zipkin/ (README "Traces")` : tracing.tracesUrl) : `off (${tracing.reason})`}`);
console.log('  logs: .data/logs/<app>.log and <app>.daprd.log · a crashed app or sidecar is started again · stop: Ctrl-C\n');
supervisor = supervise(apps, { onLine });
setInterval(() => {}, 1 << 30);
