import { DEFAULT_SCRYPT, hashPassword, parsePasswordHash, verifyPassword } from '../src/domain/password';

describe('password hashes (scrypt)', () => {
  it('when a password is hashed, then the hash is self-describing, salted, and verifies only that password', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(hash).not.toContain('correct horse battery');
    expect(parsePasswordHash(hash)?.salt).toHaveLength(16);
    await expect(verifyPassword('correct horse battery', hash)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterY', hash)).resolves.toBe(false);
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  it('when the same password is hashed twice, then the salts and hashes differ', async () => {
    const [one, two] = await Promise.all([hashPassword('same password!'), hashPassword('same password!')]);
    expect(one).not.toBe(two);
    expect(parsePasswordHash(one)?.salt.equals(parsePasswordHash(two)!.salt)).toBe(false);
  });

  it('when a password is typed with composed or decomposed accents, then it is the same password (NFC)', async () => {
    const hash = await hashPassword('caf\u00e9 au lait!');
    await expect(verifyPassword('cafe\u0301 au lait!', hash)).resolves.toBe(true);
  });

  it('when a hash was made with other parameters, then it still verifies (they are read from the hash)', async () => {
    const hash = await hashPassword('older cheaper hash', { N: 16384, r: 8, p: 1 });
    expect(hash.startsWith('scrypt$16384$8$1$')).toBe(true);
    await expect(verifyPassword('older cheaper hash', hash)).resolves.toBe(true);
  });

  it('when a stored hash asks for absurd cost or is malformed, then it is refused before any work', async () => {
    const salt = Buffer.alloc(16, 1).toString('base64');
    const hash = Buffer.alloc(32, 2).toString('base64');
    for (const bad of [
      `scrypt$4194304$8$1$${salt}$${hash}`, // N over the bound: gigabytes
      `scrypt$30000$8$1$${salt}$${hash}`, // N not a power of two
      `scrypt$32768$64$1$${salt}$${hash}`,
      `scrypt$32768$8$1$${Buffer.alloc(8).toString('base64')}$${hash}`, // a short salt
      `bcrypt$32768$8$1$${salt}$${hash}`,
      'plain password',
    ]) {
      expect(parsePasswordHash(bad)).toBeUndefined();
      await expect(verifyPassword('anything at all', bad)).rejects.toThrow(/format/);
    }
  });

  it('when a hash is computed, then the event loop keeps running meanwhile (scrypt runs off the main thread)', async () => {
    let turns = 0;
    let spinning = true;
    const spin = () => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    await hashPassword('a password to hash', DEFAULT_SCRYPT);
    spinning = false;
    expect(turns).toBeGreaterThan(1);
  });
});
