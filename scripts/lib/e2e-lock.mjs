// One system per machine: the e2e runs (test/support/global-setup.mjs) and the benches that start
// the system take this lock first. A lock whose owner died is taken over.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from './processes.mjs';

export const E2E_LOCK = path.join(os.tmpdir(), 'staycar-e2e.lock');

/**
 * Waits until this process holds the lock (saying whom it waits for every 5 s); with `timeoutMs`,
 * gives up with an error naming the holder.
 */
export async function acquireE2eLock({ timeoutMs = Infinity } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(E2E_LOCK, String(process.pid), { flag: 'wx' });
      return;
    } catch {
      const owner = Number(fs.readFileSync(E2E_LOCK, 'utf8') || 0);
      if (!isAlive(owner)) fs.rmSync(E2E_LOCK, { force: true });
      else if (Date.now() > deadline) throw new Error(`another run (pid ${owner}) holds ${E2E_LOCK}`);
      else {
        console.log(`… waiting for ${E2E_LOCK} (pid ${owner})`);
        await sleep(5000);
      }
    }
  }
}

export const releaseE2eLock = () => fs.rmSync(E2E_LOCK, { force: true });
