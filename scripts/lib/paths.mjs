import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where daprd lives: $DAPR_RUNTIME_PATH/.dapr/bin, else ~/.dapr/bin (what `dapr init --slim` uses). */
export const DAPR_HOME = path.join(process.env.DAPR_RUNTIME_PATH ?? os.homedir(), '.dapr');
export const DAPR_BIN = { dir: path.join(DAPR_HOME, 'bin'), daprd: path.join(DAPR_HOME, 'bin', 'daprd') };

/** Project-local, git-ignored runtime data: .data/<name>. */
export function dataDir(name) {
  const dir = path.join(process.env.STAYCAR_DATA_DIR ?? path.join(ROOT, '.data'), name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
