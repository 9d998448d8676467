#!/usr/bin/env node
// Idempotent set-up run by `npm start` and `npm test` (alone: `npm run setup`). Installs and starts
// only what is missing; quick when everything is present. One line per step with its time.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib/paths.mjs';

const started = Date.now();
const stamp = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

// Step 1 runs before any npm package exists, so it reports with plain lines.
function nodeDependencies() {
  const t0 = Date.now();
  const lock = path.join(ROOT, 'package-lock.json');
  const marker = path.join(ROOT, 'node_modules', '.staycar-lock-hash');
  const hash = crypto.createHash('sha256').update(fs.readFileSync(lock)).digest('hex');
  const current = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8') : '';
  if (current === hash) {
    console.log(`✔ node dependencies up to date (${Date.now() - t0} ms)`);
    return;
  }
  console.log('… installing node dependencies (npm ci)');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('✖ npm ci failed: see the output above (network to the npm registry? disk space?).');
    process.exit(1);
  }
  fs.writeFileSync(marker, hash);
  console.log(`✔ node dependencies installed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

nodeDependencies();
const { runSetup } = await import('./lib/setup-steps.mjs');
try {
  await runSetup();
  console.log(`✔ set-up complete in ${stamp()}`);
} catch (error) {
  console.error(`✖ set-up failed: ${error.message}`);
  process.exit(1);
}
