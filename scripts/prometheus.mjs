#!/usr/bin/env node
// `npm run prometheus`: Prometheus in the background on http://127.0.0.1:9190, scraping every
// app's and every sidecar's metrics of dapr.yaml (scripts/lib/prometheus.mjs), data kept in
// .data/prometheus across restarts; `npm run prometheus -- stop` stops it. Not started by
// `npm start`: the system runs without it (tests and the bench leave it off), and it keeps its
// history while the system is stopped and started again. docs/observability.md.
import fs from 'node:fs';
import { PROMETHEUS_BIN, startPrometheus, stopPrometheus } from './lib/prometheus.mjs';
import { loadApps } from './lib/system.mjs';

const [action = 'start'] = process.argv.slice(2);
if (action === 'stop') {
  console.log((await stopPrometheus()) ? 'Prometheus stopped.' : 'Prometheus was not running.');
  process.exit(0);
}
if (action !== 'start') {
  console.error('usage: npm run prometheus [-- start|stop]');
  process.exit(2);
}
if (!fs.existsSync(PROMETHEUS_BIN)) {
  console.error(`✖ ${PROMETHEUS_BIN} is missing: run \`npm run setup\` (it installs Debian's prometheus package).`);
  process.exit(1);
}
try {
  const { started, url } = await startPrometheus({ apps: loadApps() });
  console.log(`✔ Prometheus ${started ? 'started' : 'was running (configuration reloaded)'}: ${url}`);
  console.log(`  targets: ${url}/targets · queries: docs/observability.md · log: .data/prometheus/prometheus.log · stop: npm run prometheus -- stop`);
} catch (error) {
  console.error(`✖ ${error.message}`);
  process.exit(1);
}
