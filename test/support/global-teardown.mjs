import { releaseE2eLock } from '../../scripts/lib/e2e-lock.mjs';
import { stopAll } from '../../scripts/lib/system.mjs';

export default async function globalTeardown() {
  if (!globalThis.__STAYCAR_STARTED__) return;
  await stopAll();
  releaseE2eLock();
}
