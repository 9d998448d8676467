// Runs one of the set-up's own functions against a throwaway instance, for test/setup (Jest runs
// TypeScript as CommonJS and cannot import these ES modules itself). Prints one JSON line.
import { adminSql, ensureMariadb, stopServer } from '../../scripts/lib/mariadb.mjs';
import { ensureDaprBinary, ensureDaprd } from '../../scripts/lib/daprd-build.mjs';
import { startRedis, stopRedis } from '../../scripts/lib/redis.mjs';
import { ensurePostgres, stopPostgres } from '../../scripts/lib/postgres.mjs';
import { ensureRabbitmq, stopRabbitmq } from '../../scripts/lib/rabbitmq.mjs';
import { ensureKafka, stopKafka } from '../../scripts/lib/kafka.mjs';
import { aptInstall, prometheusStep } from '../../scripts/lib/setup-steps.mjs';
import { prometheusConfig, startPrometheus, stopPrometheus } from '../../scripts/lib/prometheus.mjs';
import { loadApps } from '../../scripts/lib/system.mjs';
import { storeOf } from '../../scripts/lib/stores.mjs';
import { supervise } from '../../scripts/lib/supervisor.mjs';
import { ensureZipkin, startZipkin, stopZipkin } from '../../scripts/lib/zipkin.mjs';

/**
 * `npm start`'s supervisor against stand-in processes: each app's pids live in `state`; an app in
 * `crashing` dies again right after every restart. Runs for `ms` and answers what it said and started.
 */
async function superviseStandIns({ apps, ms }) {
  const state = Object.fromEntries(apps.map((a) => [a.appID, a.pids ? { ...a.pids } : undefined]));
  const alive = new Set(apps.flatMap((a) => a.alive));
  let nextPid = 1000;
  const said = [];
  const starts = [];
  const supervisor = supervise(apps.map((a) => ({ appID: a.appID })), {
    say: (line) => said.push(line),
    checkEveryMs: 5,
    backoffMs: [10, 20, 40],
    pidsOf: (appId) => state[appId] ?? undefined,
    alive: (pid) => alive.has(pid),
    start: (app) => {
      starts.push(app.appID);
      const pids = state[app.appID];
      const halves = [];
      for (const key of ['appPid', 'daprdPid']) {
        if (alive.has(pids[key])) continue;
        pids[key] = nextPid++;
        halves.push(key === 'appPid' ? 'app' : 'daprd');
        if (!apps.find((a) => a.appID === app.appID).crashing) alive.add(pids[key]);
      }
      return halves;
    },
  });
  await new Promise((resolve) => setTimeout(resolve, ms));
  supervisor.stop();
  return { said, starts };
}

const [command, json] = process.argv.slice(2);
const args = JSON.parse(json ?? '{}');
const commands = {
  'mariadb-ensure': () => ensureMariadb(args.instance),
  'mariadb-sql': () => adminSql(args.instance, args.sql),
  'mariadb-stop': () => stopServer(args.instance),
  'redis-start': () => startRedis(args.instance),
  'redis-stop': () => stopRedis(args.instance),
  daprd: () => ensureDaprd({ binDir: args.binDir }),
  sentry: () => ensureDaprBinary({ name: 'sentry', binDir: args.binDir }),
  supervise: () => superviseStandIns(args),
  // Zipkin: the download into an empty cache directory, then one on another port from that jar.
  'zipkin-ensure': () => ensureZipkin({ cacheDir: args.cacheDir }),
  'zipkin-start': () => startZipkin({ instance: args.instance, jar: args.jar, logFile: args.logFile, pidFile: args.pidFile }),
  'zipkin-stop': () => stopZipkin({ pidFile: args.pidFile }),
  // The set-up's package step for one store's Debian packages (what a profile that needs it runs).
  'store-packages': () => aptInstall(storeOf(args.store).apt)(() => {}),
  'postgres-ensure': () => ensurePostgres(args.instance),
  'postgres-stop': () => stopPostgres(args.instance),
  'rabbitmq-ensure': () => ensureRabbitmq(args.instance),
  'rabbitmq-stop': () => stopRabbitmq(args.instance),
  'kafka-ensure': () => ensureKafka(args.instance, { mavenRepo: args.mavenRepo }),
  'kafka-stop': () => stopKafka(args.instance),
  // Prometheus (`npm run prometheus`): the set-up's step, then an instance of its own (fresh data
  // directory, another port) scraping the apps given; the configuration dapr.yaml makes.
  'prometheus-step': () => prometheusStep(() => {}),
  'prometheus-start': () => startPrometheus({ apps: args.apps, port: args.port, dir: args.dir }),
  'prometheus-stop': () => stopPrometheus({ dir: args.dir }),
  'prometheus-config': () => prometheusConfig(loadApps()),
};
try {
  if (!commands[command]) throw new Error(`unknown command ${command}`);
  console.log(JSON.stringify({ ok: true, result: await commands[command]() }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: error.message }));
  process.exitCode = 1;
}
