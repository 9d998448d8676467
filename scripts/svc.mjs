#!/usr/bin/env node
// `npm run svc:stop -- <app-id|all>` / `npm run svc:start -- <app-id>`: stop or start one service
// with its sidecar while the rest keep running (fault drills, the resilience tests); `redis` stops
// or starts Redis (pub/sub) the way the set-up runs it, `mariadb` the state store's database.
import { startSentry } from './lib/sentry.mjs';
import { findApp, loadApps, runningApps, startApp, stopAll, stopApp, waitReady, waitResolvable } from './lib/system.mjs';
import { ensureMariadb, stopServer as stopMariadb } from './lib/mariadb.mjs';
import { startRedis, stopRedis } from './lib/redis.mjs';

const [action, appId] = process.argv.slice(2);
const ids = loadApps().map((a) => a.appID);
if (!['start', 'stop'].includes(action) || !appId) {
  console.error(`usage: npm run svc:stop -- <${ids.join('|')}|redis|mariadb|all>  ·  npm run svc:start -- <app-id|redis|mariadb>`);
  process.exit(2);
}
try {
  if (appId === 'redis') {
    // Infrastructure drill: the sidecars reconnect on their own (pub/sub, outbox).
    console.log(action === 'stop' ? await stopRedis() : await startRedis());
  } else if (appId === 'mariadb') {
    console.log(action === 'stop' ? ((await stopMariadb()) ? 'MariaDB stopped' : 'MariaDB was not running') : await ensureMariadb());
  } else if (action === 'stop') {
    if (appId === 'all') await stopAll();
    else if (!(await stopApp(findApp(appId).appID))) console.log(`${appId} was not running`);
    console.log(`stopped ${appId}`);
  } else {
    const app = findApp(appId);
    await startSentry();
    const started = startApp(app);
    await waitReady(app);
    // Ready for traffic once the gateway's sidecar reaches it (or, for the gateway, the others).
    await waitResolvable(app.appID === 'gateway' ? runningApps() : [app]);
    console.log(`started ${appId}${started.length === 1 ? ` (its ${started[0] === 'app' ? 'app' : 'sidecar'} only: the other half was running)` : ''} (logs: .data/logs/${appId}.log)`);
  }
} catch (error) {
  console.error(`✖ ${error.message}`);
  process.exit(1);
}
