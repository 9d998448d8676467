// The token signing keys of the identity service, in the local secret store's file
// (components/default/secretstore.yaml: secretstores.local.file reading .data/secrets/secrets.json,
// git-ignored). The file is a JSON object of secrets; `jwt-signing-keys` is a JSON string holding an
// array of private EC P-256 JWKs (ES256), each with a kid (its RFC 7638 thumbprint), newest first:
// identity signs with the first and publishes the public part of all (GET /auth/jwks.json).
// Nothing here prints or logs key material; only kids, which are public.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import { ROOT } from './paths.mjs';

/** Where components/default/secretstore.yaml reads it (`../../.data/secrets/secrets.json` from services/<app>). */
export const DEFAULT_SECRETS_FILE = path.join(ROOT, '.data', 'secrets', 'secrets.json');
export const SIGNING_KEYS_SECRET = 'jwt-signing-keys';

/** A fresh ES256 private JWK with kid = its RFC 7638 thumbprint. */
export async function newSigningKey() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y, d } = privateKey.export({ format: 'jwk' });
  const kid = await calculateJwkThumbprint({ kty, crv, x, y }, 'sha256');
  return { kty, crv, x, y, d, kid, alg: 'ES256', use: 'sig' };
}

async function readSecrets(file) {
  let text;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
  let secrets;
  try {
    secrets = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON; fix or remove it (it holds the local secrets).`);
  }
  if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) {
    throw new Error(`${file} must hold a JSON object of secrets.`);
  }
  return secrets;
}

function keySetOf(secrets, file) {
  const value = secrets[SIGNING_KEYS_SECRET];
  let keys;
  try {
    keys = JSON.parse(value);
  } catch {
    keys = undefined;
  }
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'object' && k !== null && typeof k.kid === 'string')) {
    throw new Error(`${SIGNING_KEYS_SECRET} in ${file} is not a JSON array of JWKs with kid.`);
  }
  return keys;
}

/** Writes the whole file at once (a temporary file renamed over it), readable by its owner only. */
async function writeSecrets(file, secrets) {
  const dir = path.dirname(file);
  // Only the secrets' own folder is private; folders above it (.data/) keep their usual mode.
  await fs.mkdir(path.dirname(dir), { recursive: true });
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chmod(dir, 0o700);
  const temporary = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.writeFile(temporary, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

/** Inside the repository relative to it, else absolute. */
const shown = (file) => (path.relative(ROOT, file).startsWith('..') ? file : path.relative(ROOT, file));

const withKeys = (secrets, keys) => ({ ...secrets, [SIGNING_KEYS_SECRET]: JSON.stringify(keys) });

/**
 * Creates the secrets file (mode 0600, its folder 0700) with one fresh signing key when it is
 * missing, or adds the key set to a secrets file that has none; a file that has one is left alone.
 * Answers one line for the set-up to show.
 */
export async function ensureSecrets({ file = DEFAULT_SECRETS_FILE } = {}) {
  const secrets = await readSecrets(file);
  if (secrets && secrets[SIGNING_KEYS_SECRET] !== undefined) {
    const keys = keySetOf(secrets, file);
    return `token signing keys in ${shown(file)} (signing kid ${keys[0].kid}, ${keys.length} published)`;
  }
  const key = await newSigningKey();
  await writeSecrets(file, withKeys(secrets ?? {}, [key]));
  return `token signing key created in ${shown(file)} (kid ${key.kid})`;
}

/**
 * Rotation: a new key goes first (identity signs with it after a restart) and the `keep` newest of
 * the old ones stay published, so tokens they signed keep verifying until they expire. Creates the
 * file when it is missing. Answers the kids: {signingKid, published, dropped}.
 */
export async function rotateSigningKey({ file = DEFAULT_SECRETS_FILE, keep = 1 } = {}) {
  if (!Number.isInteger(keep) || keep < 0) throw new Error(`keep must be a whole number ≥ 0, got ${keep}`);
  const secrets = (await readSecrets(file)) ?? {};
  const old = secrets[SIGNING_KEYS_SECRET] === undefined ? [] : keySetOf(secrets, file);
  const key = await newSigningKey();
  const keys = [key, ...old.slice(0, keep)];
  await writeSecrets(file, withKeys(secrets, keys));
  return { signingKid: key.kid, published: keys.map((k) => k.kid), dropped: old.slice(keep).map((k) => k.kid) };
}

/**
 * The last step of a rotation, once every token the old keys signed has expired (TOKEN_TTL_SECONDS
 * after identity started signing with the new one): only the signing key stays published.
 */
export async function dropOldSigningKeys({ file = DEFAULT_SECRETS_FILE } = {}) {
  const secrets = await readSecrets(file);
  if (!secrets || secrets[SIGNING_KEYS_SECRET] === undefined) throw new Error(`no ${SIGNING_KEYS_SECRET} in ${file}`);
  const keys = keySetOf(secrets, file);
  await writeSecrets(file, withKeys(secrets, keys.slice(0, 1)));
  return { signingKid: keys[0].kid, published: [keys[0].kid], dropped: keys.slice(1).map((k) => k.kid) };
}

/** The key set as the secret's value (for a Kubernetes Secret); never logged by anything here. */
export async function signingKeysValue({ file = DEFAULT_SECRETS_FILE } = {}) {
  const secrets = await readSecrets(file);
  if (!secrets || secrets[SIGNING_KEYS_SECRET] === undefined) throw new Error(`no ${SIGNING_KEYS_SECRET} in ${file}`);
  keySetOf(secrets, file);
  return secrets[SIGNING_KEYS_SECRET];
}
