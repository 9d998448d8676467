#!/usr/bin/env node
// `npm run svc:stop -- <app-id|all>` / `npm run svc:start -- <app-id>`: stop or start one service
// with its sidecar while the rest keep running (fault drills, the resilience tests); a store's name
// (redis, mariadb, postgres, rabbitmq, kafka: scripts/lib/stores.mjs) stops or starts that store the
// way the set-up runs it.
import { startSentry } from './lib/sentry.mjs';
import { findApp, loadApps, runningApps, startApp, stopAll, stopApp, waitReady, waitResolvable } from './lib/system.mjs';
import { STORES } from './lib/stores.mjs';

const [action, appId] = process.argv.slice(2);
const ids = loadApps().map((a) => a.appID);
if (!['start', 'stop'].includes(action) || !appId) {
  const stores = Object.keys(STORES).join('|');
  console.error(`usage: npm run svc:stop -- <${ids.join('|')}|${stores}|all>  ·  npm run svc:start -- <app-id|${stores}>`);
  process.exit(2);
}
try {
  if (STORES[appId]) {
    // Infrastructure drill (redis, mariadb, postgres, rabbitmq, kafka): the sidecars reconnect on
    // their own (state, pub/sub, outbox); a store comes back on the data it was running on.
    console.log(await STORES[appId][action]());
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
