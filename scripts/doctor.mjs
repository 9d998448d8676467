#!/usr/bin/env node
// `npm run doctor`: what is installed, which versions, which ports, and what answers.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { infra } from './lib/infra.mjs';
import { DAPR_BIN, ROOT } from './lib/paths.mjs';
import { pingWorks, defaultRedis } from './lib/redis.mjs';
import { defaultMariadb, serviceUserWorks } from './lib/mariadb.mjs';
import { sentry } from './lib/sentry.mjs';
import { isAlive, loadApps, readPids } from './lib/system.mjs';

const versions = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'versions.json'), 'utf8'));
const out = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0];
  } catch {
    return 'missing';
  }
};
const answers = async (url) => {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1500) });
    return `${res.status}`;
  } catch {
    return 'no answer';
  }
};
const row = (name, value) => console.log(`  ${name.padEnd(28)} ${value}`);

console.log('Tools');
row('node', process.version);
row('go', out('go', ['version']));
row(`daprd (want ${versions.dapr})`, fs.existsSync(DAPR_BIN.daprd) ? out(DAPR_BIN.daprd, ['--version']) : `missing in ${DAPR_BIN.dir}`);
row(`sentry (want ${versions.dapr})`, fs.existsSync(sentry.binary) ? 'present' : `missing in ${DAPR_BIN.dir}`);
row(`dapr CLI (want ${versions.daprCli})`, out(path.join(DAPR_BIN.dir, 'dapr'), ['version']));
row('redis-server', out('redis-server', ['--version']));
row('mariadbd', out('mariadbd', ['--version']));
row('chromium', out('chromium', ['--version']));

console.log('\nInfrastructure');
const redis = pingWorks(defaultRedis());
row(`Redis :${infra.redis.port}`, redis.ok ? 'answers PING (with the configured password)' : `no: ${redis.error}`);
const mariadb = serviceUserWorks(defaultMariadb());
row(`MariaDB :${infra.mysql.port}`, mariadb.ok ? `user ${infra.mysql.user} logs in and uses ${infra.mysql.database}` : `no: ${mariadb.error}`);
row(`Dapr Sentry :${sentry.port}`, (await answers(`http://127.0.0.1:${sentry.healthzPort}/healthz`)) === '200' ? 'healthy (mTLS between sidecars)' : 'no answer (sidecars cannot start without it)');

console.log('\nServices (app port · sidecar HTTP · gRPC · metrics)');
for (const app of loadApps()) {
  const pids = readPids(app.appID);
  const running = pids && isAlive(pids.appPid) ? 'running' : 'stopped';
  const sidecar = await answers(`http://127.0.0.1:${app.daprHTTPPort}/v1.0/healthz`);
  const ready = await answers(`http://127.0.0.1:${app.appPort}/readyz`);
  row(app.appID, `${app.appPort} · ${app.daprHTTPPort} · ${app.daprGRPCPort} · ${app.metricsPort}   ${running}, sidecar ${sidecar}, readyz ${ready}`);
}
