import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseSigningKeys } from '../src/domain/signingKeys';

/**
 * scripts/lib/secrets.mjs (the set-up's ensureSecrets, npm run keys:rotate) makes the secret this
 * service reads. It is an ES module of the repository's scripts, so it runs in a child node here.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const LIB = path.join(ROOT, 'scripts', 'lib', 'secrets.mjs');

function call(fn: string, args: object): unknown {
  const script = `import * as lib from ${JSON.stringify(LIB)}; const r = await lib.${fn}(${JSON.stringify(args)}); process.stdout.write(JSON.stringify(r ?? null));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

const keySet = (file: string) => {
  const secrets = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  return parseSigningKeys(secrets['jwt-signing-keys']);
};

/** RFC 7638 thumbprint of a P-256 key, computed here independently of jose. */
const thumbprint = (k: { crv: string; kty: string; x: string; y: string }): string =>
  createHash('sha256')
    .update(JSON.stringify({ crv: k.crv, kty: k.kty, x: k.x, y: k.y }))
    .digest('base64url');

describe('scripts/lib/secrets.mjs', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'staycar-secrets-'));
    file = path.join(dir, 'secrets', 'secrets.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('when the file is missing, then ensureSecrets creates it owner-only with one key the service accepts, kid = its thumbprint', () => {
    call('ensureSecrets', { file });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const keys = keySet(file);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys[0].kid).toBe(thumbprint(keys[0]));
  });

  it('when the file exists, then ensureSecrets leaves it alone', () => {
    call('ensureSecrets', { file });
    const before = fs.readFileSync(file, 'utf8');
    const message = call('ensureSecrets', { file });
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(String(message)).toContain(keySet(file)[0].kid);
    expect(String(message)).not.toContain(keySet(file)[0].d);
  });

  it('when a key is rotated, then the new one goes first, `keep` old ones stay, other secrets stay, and drop-old keeps only the signer', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ other: 'kept' }));
    call('ensureSecrets', { file });
    const first = keySet(file)[0].kid;
    const rotated = call('rotateSigningKey', { file, keep: 1 }) as { signingKid: string; published: string[]; dropped: string[] };
    expect(rotated.published).toEqual([rotated.signingKid, first]);
    expect(keySet(file).map((k) => k.kid)).toEqual([rotated.signingKid, first]);
    const again = call('rotateSigningKey', { file, keep: 1 }) as { signingKid: string; dropped: string[] };
    expect(again.dropped).toEqual([first]);
    expect(keySet(file).map((k) => k.kid)).toEqual([again.signingKid, rotated.signingKid]);
    const dropped = call('dropOldSigningKeys', { file }) as { published: string[] };
    expect(dropped.published).toEqual([again.signingKid]);
    expect(keySet(file).map((k) => k.kid)).toEqual([again.signingKid]);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).other).toBe('kept');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});
