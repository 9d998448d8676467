import { DaprError } from '@staycar/common';
import pino from 'pino';
import { DaprSigningKeySource, SIGNING_KEYS_FIELD } from '../src/adapters/signingKeySource';
import { parseSigningKeys, publicJwkOf, SigningKeysError } from '../src/domain/signingKeys';
import { privateJwk, TestKeySource } from './support/setup';

// Imported after the mock is registered (jest hoists jest.mock anyway; this keeps the order visible).
import { SigningKeyRing } from '../src/tokens';

describe('the signing keys secret', () => {
  it('when it holds private P-256 JWKs with kids, then they parse in order and publish only public members', () => {
    const keys = [privateJwk('a'), privateJwk('b')];
    const parsed = parseSigningKeys(JSON.stringify(keys));
    expect(parsed.map((k) => k.kid)).toEqual(['a', 'b']);
    expect(publicJwkOf(parsed[0])).toEqual({ kty: 'EC', crv: 'P-256', x: keys[0].x, y: keys[0].y, kid: 'a', alg: 'ES256', use: 'sig' });
  });

  const { d: _private, ...publicOnly } = privateJwk('pub');
  const secretD = privateJwk('leak').d;
  it.each([
    ['not JSON', 'jwt-signing-keys'],
    ['an empty array', '[]'],
    ['an object, not an array', JSON.stringify(privateJwk('x'))],
    ['a key without kid', JSON.stringify([{ ...privateJwk('x'), kid: undefined }])],
    ['a public key only (no d)', JSON.stringify([publicOnly])],
    ['another curve', JSON.stringify([{ ...privateJwk('x'), crv: 'P-384' }])],
    ['another algorithm', JSON.stringify([{ ...privateJwk('x'), alg: 'RS256' }])],
    ['two keys with one kid', JSON.stringify([privateJwk('same'), privateJwk('same')])],
    ['a bad key next to a good one', JSON.stringify([{ ...privateJwk('leak'), d: secretD, x: 'short' }])],
  ])('when it is %s, then it is refused with a message that holds no key material', (_what, value) => {
    expect(() => parseSigningKeys(value)).toThrow(SigningKeysError);
    const privateParts = [...value.matchAll(/"d":"([^"]+)"/g)].map((m) => m[1]);
    try {
      parseSigningKeys(value);
    } catch (error) {
      for (const d of [secretD, ...privateParts]) expect((error as Error).message).not.toContain(d);
    }
  });

  it('when the newest key is not a valid P-256 point, then the key ring refuses it (and reads again later)', async () => {
    const broken = { ...privateJwk('broken'), x: privateJwk('other').x };
    const source = new TestKeySource(JSON.stringify([broken]));
    const ring = new SigningKeyRing(source, pino({ level: 'silent' }), 0);
    await expect(ring.current()).rejects.toThrow(SigningKeysError);
    source.value = JSON.stringify([privateJwk('good')]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(ring.current()).resolves.toMatchObject({ signer: { kid: 'good' } });
    expect(source.reads).toBe(2);
  });
});

describe('DaprSigningKeySource', () => {
  const sidecarAnswering = (answer: Record<string, string> | Error) => ({
    getSecret: jest.fn(async () => {
      if (answer instanceof Error) throw answer;
      return answer;
    }),
  });

  it('when the store answers the secret, then the value under jwt-signing-keys is the key set', async () => {
    const sidecar = sidecarAnswering({ [SIGNING_KEYS_FIELD]: '[…]' });
    await expect(new DaprSigningKeySource(sidecar, 'secretstore', 'jwt-signing-keys').read()).resolves.toBe('[…]');
    expect(sidecar.getSecret).toHaveBeenCalledWith('secretstore', 'jwt-signing-keys');
  });

  it('when the secret has no jwt-signing-keys entry, then the error names the keys it has, not their values', async () => {
    const sidecar = sidecarAnswering({ other: 'value-that-is-secret' });
    const read = new DaprSigningKeySource(sidecar, 'secretstore', 'staycar-jwt-signing-keys').read();
    await expect(read).rejects.toThrow(/has no key "jwt-signing-keys" \(keys: other\)/);
    await expect(read).rejects.not.toThrow(/value-that-is-secret/);
  });

  it('when the sidecar refuses, then its error passes through', async () => {
    const refusal = new DaprError('secret secretstore/jwt-signing-keys: the sidecar answered 500', 500, { errorCode: 'ERR_SECRET_GET' });
    await expect(new DaprSigningKeySource(sidecarAnswering(refusal), 'secretstore', 'jwt-signing-keys').read()).rejects.toBe(refusal);
  });
});
