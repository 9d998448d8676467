#!/usr/bin/env node
// `npm run doctor`: what is installed, which versions, which ports, and what answers.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DAPR_BIN, ROOT } from './lib/paths.mjs';
import { listProfiles, loadProfile } from './lib/profiles.mjs';
import { storeOf } from './lib/stores.mjs';
import { sentry } from './lib/sentry.mjs';
import { appMetricsPort, isAlive, loadApps, readPids } from './lib/system.mjs';
import { appBreakers, sidecarBreakers } from './lib/breakers.mjs';
import { readTracingPlan, zipkinUrl } from './lib/tracing.mjs';

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
  const where = plan.enabled ? (plan.localZipkin ? `on, to the local Zipkin (${plan.tracesUrl})` : `on, to ${plan.tracesUrl}`) : `off (${plan.reason})`;
  const ui = (await answers(`${zipkinUrl()}/api/v2/services`)) === '200' ? `answers at ${zipkinUrl()}/zipkin/` : 'no answer';
  row('traces', `${where}; Zipkin ${ui}`);
}

console.log('\nServices (app port · sidecar HTTP · gRPC · metrics · app metrics)');
for (const app of loadApps()) {
  const pids = readPids(app.appID);
  const running = pids && isAlive(pids.appPid) ? 'running' : 'stopped';
  const sidecar = await answers(`http://127.0.0.1:${app.daprHTTPPort}/v1.0/healthz`);
  const ready = await answers(`http://127.0.0.1:${app.appPort}/readyz`);
  const metricsPort = appMetricsPort(app);
  const metrics = metricsPort ? await answers(`http://127.0.0.1:${metricsPort}/metrics`) : 'off';
  row(
    app.appID,
    `${app.appPort} · ${app.daprHTTPPort} · ${app.daprGRPCPort} · ${app.metricsPort} · ${metricsPort ?? '-'}   ${running}, sidecar ${sidecar}, readyz ${ready}, metrics ${metrics}`,
  );
}

// Every sidecar's and every app's metrics (scripts/lib/breakers.mjs says why both).
console.log('\nCircuit breakers (each app: Dapr refused its last call to the target · each sidecar: dapr_resiliency_cb_state)');
const apps = loadApps();
const [sidecars, callers] = await Promise.all([sidecarBreakers(apps), appBreakers(apps, appMetricsPort)]);
const pairs = new Map();
const pair = (appId, target) => {
  const key = `${appId} → ${target}`;
  if (!pairs.has(key)) pairs.set(key, { app: undefined, dapr: undefined, resiliency: undefined });
  return pairs.get(key);
};
for (const s of sidecars) for (const b of s.breakers) Object.assign(pair(s.appId, b.target), { dapr: b.state, resiliency: b.resiliency });
for (const c of callers) for (const t of c.targets) pair(c.appId, t.target).app = t.open ? 'open' : 'answered';
const isOpen = (p) => p.app === 'open' || p.dapr === 'open';
for (const [key, p] of [...pairs].filter(([, p]) => isOpen(p))) {
  const said = [p.app === 'open' ? 'Dapr refused its last call (breaker open)' : undefined, p.dapr ? `Dapr's gauge: ${p.dapr}` : undefined];
  row(key, `✖ OPEN: calls fail fast (503 TRY_LATER) — ${said.filter(Boolean).join('; ')}${p.resiliency ? ` (resiliency ${p.resiliency})` : ''}`);
}
const closed = [...pairs].filter(([, p]) => !isOpen(p)).map(([key]) => key);
if (closed.length === pairs.size) row('open', 'none');
if (closed.length > 0) row('closed', closed.join(', '));
const silent = [...sidecars.filter((s) => !s.reachable).map((s) => `${s.appId}'s sidecar`), ...callers.filter((c) => !c.reachable).map((c) => c.appId)];
if (silent.length > 0) row('metrics did not answer', silent.join(', '));
