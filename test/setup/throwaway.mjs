// Runs one of the set-up's own functions against a throwaway instance, for test/setup (Jest runs
// TypeScript as CommonJS and cannot import these ES modules itself). Prints one JSON line.
import { adminSql, ensureMariadb, stopServer } from '../../scripts/lib/mariadb.mjs';
import { ensureDaprBinary, ensureDaprd } from '../../scripts/lib/daprd-build.mjs';
import { startRedis, stopRedis } from '../../scripts/lib/redis.mjs';

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
};
try {
  if (!commands[command]) throw new Error(`unknown command ${command}`);
  console.log(JSON.stringify({ ok: true, result: await commands[command]() }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: error.message }));
  process.exitCode = 1;
}
