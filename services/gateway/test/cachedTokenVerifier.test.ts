import { CachedTokenVerifier } from '../src/adapters/cachedTokenVerifier';
import { InvalidTokenError, type TokenVerifier, type VerifiedToken } from '../src/ports';

/** Counts the signature checks it is asked for; tokens named `bad…` are refused. */
class CountingVerifier implements TokenVerifier {
  calls = 0;
  constructor(private readonly expiresAt: number) {}
  async verify(token: string): Promise<VerifiedToken> {
    this.calls++;
    if (token.startsWith('bad')) throw new InvalidTokenError('wrongly signed');
    return { subject: `user-of-${token}`, expiresAt: this.expiresAt };
  }
}

describe('CachedTokenVerifier', () => {
  let now = 1_000_000;
  const clock = () => now;

  it('when one token is sent again within maxAgeMs, then its signature is checked once and the same caller is answered', async () => {
    const inner = new CountingVerifier(now / 1000 + 3600);
    const verifier = new CachedTokenVerifier(inner, { maxAgeMs: 60_000, maxEntries: 10, now: clock });
    expect(await verifier.verify('t1')).toMatchObject({ subject: 'user-of-t1' });
    expect(await verifier.verify('t1')).toMatchObject({ subject: 'user-of-t1' });
    expect(inner.calls).toBe(1);
    now += 60_001;
    await verifier.verify('t1');
    expect(inner.calls).toBe(2);
  });

  it('when the token expires before maxAgeMs, then it is checked again at its exp (and refused by the real check)', async () => {
    const inner = new CountingVerifier(now / 1000 + 5);
    const verifier = new CachedTokenVerifier(inner, { maxAgeMs: 60_000, maxEntries: 10, now: clock });
    await verifier.verify('t2');
    now += 4_000;
    await verifier.verify('t2');
    expect(inner.calls).toBe(1);
    now += 1_000;
    await verifier.verify('t2');
    expect(inner.calls).toBe(2);
  });

  it('when a token is refused, then it is not remembered: every try is checked and refused', async () => {
    const inner = new CountingVerifier(now / 1000 + 3600);
    const verifier = new CachedTokenVerifier(inner, { maxAgeMs: 60_000, maxEntries: 10, now: clock });
    await expect(verifier.verify('bad-1')).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verifier.verify('bad-1')).rejects.toBeInstanceOf(InvalidTokenError);
    expect(inner.calls).toBe(2);
  });

  it('when more tokens than maxEntries arrive, then the oldest is forgotten (checked again), the newest kept', async () => {
    const inner = new CountingVerifier(now / 1000 + 3600);
    const verifier = new CachedTokenVerifier(inner, { maxAgeMs: 60_000, maxEntries: 2, now: clock });
    for (const t of ['a', 'b', 'c']) await verifier.verify(t);
    await verifier.verify('c');
    expect(inner.calls).toBe(3);
    await verifier.verify('a');
    expect(inner.calls).toBe(4);
  });

  it('when maxAgeMs is 0, then nothing is remembered', async () => {
    const inner = new CountingVerifier(now / 1000 + 3600);
    const verifier = new CachedTokenVerifier(inner, { maxAgeMs: 0, maxEntries: 10, now: clock });
    await verifier.verify('t');
    await verifier.verify('t');
    expect(inner.calls).toBe(2);
  });
});
