// `npm start` keeps the system running the way a developer expects of a local cluster: an app or
// sidecar that dies on its own is started again, with a growing pause (1 s, 2 s, 4 s … 30 s),
// and left down — said plainly — after 5 crashes within 5 minutes (a crash loop is a bug to read
// in the logs, not to hide). A service stopped on purpose (`npm run svc:stop`) is left alone: its
// pid file is gone or marked `stopping`.
import { isAlive, logFiles, readPids, startApp } from './system.mjs';

const BACKOFF_MS = [1000, 2000, 4000, 8000, 16000, 30000];
const CRASH_WINDOW_MS = 5 * 60_000;
const MAX_CRASHES = 5;

/**
 * `start`, `pidsOf`, `alive`, `backoffMs` are the launcher's own unless a test passes stand-ins
 * (test/setup/supervisor.test.ts checks the policy without real processes).
 */
export function supervise(apps, { onLine, say = console.log, checkEveryMs = 1000, start = startApp, pidsOf = readPids, alive = isAlive, backoffMs = BACKOFF_MS } = {}) {
  const crashes = new Map(apps.map((app) => [app.appID, []]));
  const pending = new Set();
  const given = new Set();
  const check = () => {
    for (const app of apps) {
      if (pending.has(app.appID) || given.has(app.appID)) continue;
      const pids = pidsOf(app.appID);
      if (!pids || pids.stopping) continue;
      const dead = [alive(pids.appPid) ? null : 'app', alive(pids.daprdPid) ? null : 'sidecar'].filter(Boolean);
      if (dead.length === 0) continue;
      const now = Date.now();
      const recent = crashes.get(app.appID).filter((t) => now - t < CRASH_WINDOW_MS);
      recent.push(now);
      crashes.set(app.appID, recent);
      const what = `${app.appID}'s ${dead.join(' and ')}`;
      if (recent.length > MAX_CRASHES) {
        given.add(app.appID);
        say(`✖ ${what} exited again: ${recent.length} crashes in 5 minutes, left down. Read ${logFiles(app.appID).app} and ${logFiles(app.appID).daprd}, then \`npm run svc:start -- ${app.appID}\`.`);
        continue;
      }
      const delay = backoffMs[Math.min(recent.length - 1, backoffMs.length - 1)];
      say(`✖ ${what} exited; starting it again in ${delay / 1000} s (crash ${recent.length} of at most ${MAX_CRASHES} in 5 minutes)`);
      pending.add(app.appID);
      setTimeout(() => {
        pending.delete(app.appID);
        const again = pidsOf(app.appID);
        if (!again || again.stopping) return;
        try {
          const started = start(app, { onLine });
          say(`↻ ${app.appID}: started its ${started.map((h) => (h === 'app' ? 'app' : 'sidecar')).join(' and ')} again`);
        } catch (error) {
          say(`✖ ${app.appID} could not be started again: ${error.message}`);
        }
      }, delay);
    }
  };
  const timer = setInterval(check, checkEveryMs);
  return { stop: () => clearInterval(timer) };
}
