// Starts the real system once per Jest run (the same launcher as `npm start`). With
// STAYCAR_E2E_REUSE=1 and a system already answering on the gateway, that one is used instead.
//
// The run's operator (API.md "Operators"): a username unique to this run goes into
// ADMIN_USERNAMES before the system starts (the launcher hands its environment to every app; the
// gateway reads it) and to the tests as STAYCAR_E2E_OPERATOR with a password of this run
// (STAYCAR_E2E_OPERATOR_PASSWORD); the first test that needs the operator signs it up. A reused
// system was started elsewhere: its operator is known only when STAYCAR_E2E_OPERATOR (and the
// password) were set for this run too; otherwise operator tests skip and say so.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireE2eLock, releaseE2eLock } from '../../scripts/lib/e2e-lock.mjs';
import { dataDir } from '../../scripts/lib/paths.mjs';
import { ensureSecrets } from '../../scripts/lib/secrets.mjs';
import { loadApps, startAll, stopAll } from '../../scripts/lib/system.mjs';

async function gatewayUp(url) {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
    const body = await res.json();
    return Object.values(body.services ?? {}).every((s) => s === 'up');
  } catch {
    return false;
  }
}

export default async function globalSetup() {
  const gateway = loadApps().find((a) => a.appID === 'gateway');
  const url = `http://localhost:${gateway.appPort}`;
  process.env.GATEWAY_URL ??= url;
  if (process.env.STAYCAR_E2E_REUSE === '1' && (await gatewayUp(url))) {
    const operator = process.env.STAYCAR_E2E_OPERATOR;
    process.env.STAYCAR_E2E_OPERATOR_PASSWORD ??= `op-${randomBytes(12).toString('hex')}`;
    console.log(
      `\n[e2e] reusing the system at ${url}; operator: ${operator ? `${operator} (STAYCAR_E2E_OPERATOR)` : 'unknown, operator tests skip (set STAYCAR_E2E_OPERATOR to one of its ADMIN_USERNAMES)'}`,
    );
    return;
  }
  // One system per machine: concurrent runs (other work trees, benches) wait for the ports.
  await acquireE2eLock({ timeoutMs: 45 * 60_000 });
  // `npm test` made them already; a bare `npx jest` in a new checkout has not run the set-up.
  await ensureSecrets();
  // A username nobody has yet (3..40 of a-z 0-9 . _ -), and its password for this run.
  const operator = `op-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  process.env.ADMIN_USERNAMES = operator;
  process.env.STAYCAR_E2E_OPERATOR = operator;
  process.env.STAYCAR_E2E_OPERATOR_PASSWORD = `op-${randomBytes(12).toString('hex')}`;
  // Tests only: the file reservation's stays-end job reads its clock from (services/reservation/README.md,
  // "Stays end"); test/e2e/stays-end.test.ts writes it and removes it again. No file = the real clock.
  const clockFile = path.join(dataDir('test-clock'), 'reservation-stays-end');
  fs.rmSync(clockFile, { force: true });
  process.env.STAYCAR_TEST_CLOCK_FILE = clockFile;
  globalThis.__STAYCAR_STARTED__ = true;
  const t0 = Date.now();
  try {
    await startAll({ timeoutMs: 120_000 });
    // The apps have it now; the tests (unit tests of the gateway's configuration among them, in
    // this same process) must not.
    delete process.env.ADMIN_USERNAMES;
  } catch (error) {
    await stopAll();
    releaseE2eLock();
    throw error;
  }
  const deadline = Date.now() + 60_000;
  while (!(await gatewayUp(url))) {
    if (Date.now() > deadline) throw new Error('the gateway does not report every service up after 60 s; see .data/logs/');
    await sleep(500);
  }
  console.log(`\n[e2e] system started in ${((Date.now() - t0) / 1000).toFixed(1)} s; operator of this run: ${operator}`);
}
