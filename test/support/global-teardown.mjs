import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stopAll } from '../../scripts/lib/system.mjs';

export default async function globalTeardown() {
  if (!globalThis.__STAYCAR_STARTED__) return;
  await stopAll();
  fs.rmSync(path.join(os.tmpdir(), 'staycar-e2e.lock'), { force: true });
}
