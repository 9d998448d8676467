// One Redis instance: start it (AOF on, loopback only) and prove it with a PING carrying the
// configured password. Used by the set-up for the machine's instance, by `npm run svc:* -- redis`
// for drills, and by test/setup for a throwaway one (own directory and port).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { infra } from './infra.mjs';
import { dataDir } from './paths.mjs';

export class RedisError extends Error {}

/** `resumeStopped`: come back on the directory a drill's `stopRedis` left (a second checkout's, maybe). */
export const defaultRedis = () => ({ port: infra.redis.port, password: infra.redis.password, dir: dataDir('redis'), resumeStopped: true });

/** redis-cli with the password in the environment (REDISCLI_AUTH), never in argv. */
function cli(instance, ...args) {
  const env = { ...process.env };
  if (instance.password) env.REDISCLI_AUTH = instance.password;
  else delete env.REDISCLI_AUTH;
  const result = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(instance.port), ...args], { encoding: 'utf8', env, timeout: 5000 });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
}

/** `{ ok: true }` when PING with the configured password answers PONG; else the server's words. */
export function pingWorks(instance) {
  const answer = cli(instance, 'ping');
  return answer === 'PONG' ? { ok: true } : { ok: false, error: answer || 'no answer' };
}

/** Something listens on the port (it may still refuse our password). */
const listening = (instance) => /PONG|NOAUTH|WRONGPASS|AUTH/.test(cli(instance, 'ping'));

/** Where a Redis stopped by `stopRedis` kept its data, so `startRedis` brings it back there. */
const stoppedMarker = () => path.join(dataDir('run'), 'redis-stopped.json');

export async function startRedis(instance = defaultRedis()) {
  if (pingWorks(instance).ok) return `Redis answers on :${instance.port}`;
  if (listening(instance)) {
    throw new RedisError(`Redis on :${instance.port} refuses the configured password (${pingWorks(instance).error}); set REDIS_PASSWORD to its password, or REDIS_PORT to another port`);
  }
  let { dir } = instance;
  if (instance.resumeStopped && fs.existsSync(stoppedMarker())) dir = JSON.parse(fs.readFileSync(stoppedMarker(), 'utf8')).dir ?? dir;
  fs.mkdirSync(dir, { recursive: true });
  const args = [
    '--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(instance.port), '--dir', dir,
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--logfile', path.join(dir, 'redis.log'),
    '--pidfile', path.join(dir, 'redis.pid'),
  ];
  // The password goes in through stdin as a config line, so it never shows in `ps`.
  const result = spawnSync('redis-server', ['-', ...args], { encoding: 'utf8', input: instance.password ? `requirepass ${instance.password}\n` : '' });
  if (result.status !== 0) throw new RedisError(`redis-server failed: ${(result.stderr || result.stdout).trim()}`);
  for (let i = 0; i < 50; i++) {
    const check = pingWorks(instance);
    if (check.ok) {
      fs.rmSync(stoppedMarker(), { force: true });
      return `Redis started on :${instance.port} (AOF in ${dir})`;
    }
    await sleep(100);
  }
  throw new RedisError(`Redis did not answer PING on :${instance.port} (${pingWorks(instance).error}); see ${path.join(dir, 'redis.log')} (port in use? set REDIS_PORT)`);
}

/** Stops Redis cleanly (SHUTDOWN writes the AOF first), remembering its data directory. */
export async function stopRedis(instance = defaultRedis()) {
  if (!pingWorks(instance).ok) return `Redis was not running on :${instance.port}`;
  const [, dir] = cli(instance, 'config', 'get', 'dir').split('\n');
  if (dir && instance.resumeStopped) fs.writeFileSync(stoppedMarker(), `${JSON.stringify({ dir })}\n`);
  cli(instance, 'shutdown');
  for (let i = 0; i < 100; i++) {
    if (!listening(instance)) return `Redis stopped on :${instance.port} (data in ${dir})`;
    await sleep(100);
  }
  throw new RedisError(`Redis on :${instance.port} did not stop`);
}
