#!/usr/bin/env node
// Token signing keys of the identity service (services/identity/README.md, "Signing keys").
//
//   npm run keys:rotate                      new signing key first; the previous one stays published
//   npm run keys:rotate -- --keep 0          new key, and no old one stays published
//   npm run keys:rotate -- --drop-old        no new key: only the signing key stays published (do this
//                                            once the old key's tokens expired, TOKEN_TTL_SECONDS later)
//   npm run keys:rotate -- --init            only create the file with one key if it is missing
//   ... --file <path>                        another secrets file (default .data/secrets/secrets.json)
//   ... --print-value                        also write the key set (the secret's value, PRIVATE) to
//                                            stdout, for `kubectl create secret` (deploy/README.md)
//
// The local secret store reads its file when the sidecar starts: restart identity afterwards
// (npm run svc:stop -- identity && npm run svc:start -- identity).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SECRETS_FILE, dropOldSigningKeys, ensureSecrets, rotateSigningKey, signingKeysValue } from './lib/secrets.mjs';

const USAGE = 'usage: npm run keys:rotate -- [--keep N | --drop-old | --init] [--file <secrets.json>] [--print-value]';

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      file: { type: 'string', default: DEFAULT_SECRETS_FILE },
      keep: { type: 'string', default: '1' },
      'drop-old': { type: 'boolean', default: false },
      init: { type: 'boolean', default: false },
      'print-value': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const file = path.resolve(options.file);
const keep = Number(options.keep);
if (!/^\d+$/.test(options.keep)) {
  console.error(`--keep takes a whole number ≥ 0, got "${options.keep}"\n${USAGE}`);
  process.exit(2);
}
// With --print-value stdout carries only the key set; everything else goes to stderr.
const say = options['print-value'] ? console.error : console.log;

try {
  if (options.init) {
    say(await ensureSecrets({ file }));
  } else {
    const result = options['drop-old'] ? await dropOldSigningKeys({ file }) : await rotateSigningKey({ file, keep });
    say(`signing kid ${result.signingKid}; published: ${result.published.join(', ')}${result.dropped.length ? `; dropped: ${result.dropped.join(', ')}` : ''}`);
    say('identity reads its keys at start: restart it (locally: npm run svc:stop -- identity && npm run svc:start -- identity).');
  }
  if (options['print-value']) process.stdout.write(await signingKeysValue({ file }));
} catch (error) {
  console.error(`✖ ${error.message}`);
  process.exit(1);
}
