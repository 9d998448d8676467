#!/usr/bin/env node
// `npm run doctor`: what is installed, which versions, which ports, and what answers.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DAPR_BIN, ROOT } from './lib/paths.mjs';
import { listProfiles, loadProfile } from './lib/profiles.mjs';
import { storeOf } from './lib/stores.mjs';
import { sentry } from './lib/sentry.mjs';
import { jaeger, jaegerUrl, readTracingPlan } from './lib/tracing.mjs';
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

let profile;
try {
  profile = loadProfile();
} catch (error) {
  console.error(`\n✖ ${error.message}`);
  process.exit(1);
}
console.log(`\nProfile ${profile.name} (STAYCAR_PROFILE; others: ${listProfiles().filter((p) => p !== profile.name).join(', ')})`);
row('components', path.relative(ROOT, profile.dir));
row('what', profile.description);
row('state · broker · view', `${profile.stateStore} · ${profile.broker} · ${profile.viewDb}`);
try {
  const running = JSON.parse(fs.readFileSync(path.join(ROOT, '.data', 'run', 'profile.json'), 'utf8'));
  if (running.profile !== profile.name) row('⚠ running system', `was started on profile ${running.profile} (${running.startedAt}): stop it before starting on ${profile.name}`);
  else row('running system', `started on it at ${running.startedAt}`);
} catch {
  /* nothing started from this checkout */
}

console.log('\nInfrastructure (the stores of this profile)');
for (const name of profile.stores) {
  const check = await storeOf(name).check();
  row(`${storeOf(name).label}${name === profile.broker ? ' (broker)' : ''}`, `${check.ok ? '✔' : '✖'} ${check.detail}`);
}
row(`Dapr Sentry :${sentry.port}`, (await answers(`http://127.0.0.1:${sentry.healthzPort}/healthz`)) === '200' ? 'healthy (mTLS between sidecars)' : 'no answer (sidecars cannot start without it)');
{
  const plan = readTracingPlan();
  const where = plan.enabled ? (plan.localJaeger ? `on, to the local Jaeger (OTLP :${jaeger.otlpHttpPort})` : `on, to ${plan.tracesUrl}`) : `off (${plan.reason})`;
  const ui = (await answers(`${jaegerUrl()}/api/services`)) === '200' ? `answers at ${jaegerUrl()}/` : 'no answer';
  row('traces', `${where}; Jaeger ${ui}`);
}

console.log('\nServices (app port · sidecar HTTP · gRPC · metrics)');
for (const app of loadApps()) {
  const pids = readPids(app.appID);
  const running = pids && isAlive(pids.appPid) ? 'running' : 'stopped';
  const sidecar = await answers(`http://127.0.0.1:${app.daprHTTPPort}/v1.0/healthz`);
  const ready = await answers(`http://127.0.0.1:${app.appPort}/readyz`);
  row(app.appID, `${app.appPort} · ${app.daprHTTPPort} · ${app.daprGRPCPort} · ${app.metricsPort}   ${running}, sidecar ${sidecar}, readyz ${ready}`);
}
