// The tokens that seal each app with its sidecar (Dapr's API token and app API token), one pair
// per app id, made once per checkout in .data/secrets/app-tokens.json (mode 0600) and handed to
// daprd and its app by the launcher: a caller on this machine that is neither the app nor its
// sidecar gets 401 from both (README "Security"; docs/security.md). Never logged.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths.mjs';

export const APP_TOKENS_FILE = path.join(ROOT, '.data', 'secrets', 'app-tokens.json');

function read(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

/** `{ daprApiToken, appApiToken }` of one app, made (and kept) on first use. */
export function tokensFor(appId, file = APP_TOKENS_FILE) {
  const all = read(file);
  if (all[appId]?.daprApiToken && all[appId]?.appApiToken) return all[appId];
  all[appId] = { daprApiToken: randomBytes(24).toString('hex'), appApiToken: randomBytes(24).toString('hex') };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temporary, file);
  return all[appId];
}
