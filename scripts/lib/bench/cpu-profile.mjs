// A V8 CPU profile of one service, for finding its hot path (Node refuses --cpu-prof in
// NODE_OPTIONS, but accepts --import):
//   NODE_OPTIONS="--import=$PWD/scripts/lib/bench/cpu-profile.mjs" node scripts/svc.mjs start reservation
// Only a service process (…/dist/main.js) is profiled; the profile is written when it exits
// (e.g. `node scripts/svc.mjs stop reservation`) to $STAYCAR_PROFILE_DIR (default
// test-output/profiles) as <app-id>-<pid>.cpuprofile: open it in Chrome DevTools or speedscope.
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

if (/dist[\\/]main\.js$/.test(process.argv[1] ?? '')) {
  const dir = process.env.STAYCAR_PROFILE_DIR ?? path.join(ROOT, 'test-output', 'profiles');
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.STAYCAR_PROFILE_INTERVAL_US ?? 200) });
  session.post('Profiler.start');
  // The in-process inspector answers synchronously, so this works inside the 'exit' handler.
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${process.env.APP_ID ?? 'app'}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
