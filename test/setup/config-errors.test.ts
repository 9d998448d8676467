import { spawnSync } from 'node:child_process';
import path from 'node:path';

// A bad environment value stops a service with one clear line and exit code 2 (runMain of
// @staycar/common), never a stack trace. Runs the built services (`npm test` builds first).
const ROOT = path.resolve(__dirname, '..', '..');
const SERVICES = ['gateway', 'identity', 'room', 'rentcar', 'reservation', 'payment', 'message', 'viewpage'];

describe('a service started with a bad environment value', () => {
  it.each(SERVICES)('when %s gets APP_PORT=not-a-port, then it says which variable is wrong in one line and exits 2', (service) => {
    const result = spawnSync(process.execPath, [path.join(ROOT, 'services', service, 'dist', 'main.js')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, APP_PORT: 'not-a-port', LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual(['Configuration error: Environment variable APP_PORT must be an integer in 1..65535, got "not-a-port".']);
  });
});
