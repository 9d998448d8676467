import pino from 'pino';
import type { FetchImplementation, JSONWebKeySet } from 'jose';
import { createRemoteKeySet, type RemoteKeySetOptions } from '../src/adapters/remoteKeySet';
import { JoseTokenVerifier } from '../src/adapters/joseTokenVerifier';
import { InvalidTokenError, KeySetUnavailableError } from '../src/ports';
import { AUDIENCE, createTestIssuer, ISSUER, type TestIssuer } from './support/tokens';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer();
});

const URL_OF_KEYS = new URL('http://127.0.0.1:3500/v1.0/invoke/identity/method/auth/jwks.json');

/** A JWKS endpoint in process: answers each fetch with the next scripted outcome (the last one repeats). */
function scriptedFetch(...outcomes: (JSONWebKeySet | number | Error)[]) {
  const seen: Headers[] = [];
  const fetch: FetchImplementation = async (_url, options) => {
    seen.push(options.headers);
    const outcome = outcomes[Math.min(seen.length - 1, outcomes.length - 1)];
    if (outcome instanceof Error) throw outcome;
    if (typeof outcome === 'number') return new Response('{"errorCode":"ERR_DIRECT_INVOKE"}', { status: outcome });
    return new Response(JSON.stringify(outcome), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, seen };
}

function verifierWith(fetch: FetchImplementation, options: Partial<RemoteKeySetOptions> = {}) {
  const keys = createRemoteKeySet(URL_OF_KEYS, {
    headers: {},
    timeoutMs: 1000,
    cooldownMs: 30_000,
    cacheMaxAgeMs: 600_000,
    staleIfErrorMs: 3_600_000,
    failureBackoffMs: 0,
    logger: pino({ level: 'silent' }),
    fetch,
    ...options,
  });
  return new JoseTokenVerifier(keys, {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256', 'EdDSA', 'RS256'],
    clockToleranceSeconds: 5,
  });
}

const refused = new Error('connect ECONNREFUSED 127.0.0.1:3500');

describe('the issuer key set, fetched', () => {
  it('when the keys are served, then tokens verify, and the fetch carries the headers given (dapr-api-token)', async () => {
    const { fetch, seen } = scriptedFetch(issuer.jwks);
    const verifier = verifierWith(fetch, { headers: { 'dapr-api-token': 'sidecar-token' } });
    await expect(verifier.verify(await issuer.token({ sub: 'u-1' }))).resolves.toEqual({
      subject: 'u-1',
      username: 'alice',
      expiresAt: expect.any(Number),
    });
    await verifier.verify(await issuer.token());
    expect(seen).toHaveLength(1);
    expect(seen[0].get('dapr-api-token')).toBe('sidecar-token');
  });

  it.each([
    ['cannot connect', refused],
    ['answers 500 (Dapr cannot reach identity)', 500],
    ['answers something that is not a key set', { keys: 'nope' } as unknown as JSONWebKeySet],
  ])('when the issuer %s and no keys were ever loaded, then KeySetUnavailableError (503), not an invalid token', async (_name, outcome) => {
    const { fetch } = scriptedFetch(outcome);
    await expect(verifierWith(fetch).verify(await issuer.token())).rejects.toBeInstanceOf(KeySetUnavailableError);
  });

  it('when a token names an unknown kid after the cooldown, then the keys are fetched again and a newly published key is accepted', async () => {
    const rotated: JSONWebKeySet = { keys: issuer.jwks.keys.map((key) => (key.kid === 'k2' ? { ...key, kid: 'k9' } : key)) };
    const { fetch, seen } = scriptedFetch({ keys: issuer.jwks.keys.filter((key) => key.kid === 'k1') }, rotated);
    const verifier = verifierWith(fetch, { cooldownMs: 0 });
    await verifier.verify(await issuer.token());
    await expect(verifier.verify(await issuer.token({}, { kid: 'k9', key: issuer.edKey, alg: 'EdDSA' }))).resolves.toMatchObject({
      subject: 'user-1',
    });
    expect(seen).toHaveLength(2);
  });

  it('when a token names an unknown kid within the cooldown, then it is refused without another fetch', async () => {
    const { fetch, seen } = scriptedFetch(issuer.jwks);
    const verifier = verifierWith(fetch);
    await verifier.verify(await issuer.token());
    await expect(verifier.verify(await issuer.token({}, { kid: 'nope', key: issuer.otherKey, alg: 'ES256' }))).rejects.toBeInstanceOf(
      InvalidTokenError,
    );
    expect(seen).toHaveLength(1);
  });

  it('when refetching fails, then the last keys keep verifying tokens (identity down does not sign everybody out)', async () => {
    const { fetch, seen } = scriptedFetch(issuer.jwks, refused);
    const verifier = verifierWith(fetch, { cacheMaxAgeMs: 0 });
    await verifier.verify(await issuer.token());
    await expect(verifier.verify(await issuer.token())).resolves.toMatchObject({ subject: 'user-1' });
    await expect(verifier.verify(await issuer.token({}, { key: issuer.otherKey }))).rejects.toBeInstanceOf(InvalidTokenError);
    expect(seen.length).toBeGreaterThanOrEqual(2);
  });

  it('when refetching fails and the last keys are older than staleIfError, then 503', async () => {
    const { fetch } = scriptedFetch(issuer.jwks, refused);
    const verifier = verifierWith(fetch, { cacheMaxAgeMs: 0, staleIfErrorMs: 0 });
    await verifier.verify(await issuer.token());
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(verifier.verify(await issuer.token())).rejects.toBeInstanceOf(KeySetUnavailableError);
  });

  it('when the issuer is down and a token names a kid the last keys do not have, then 503 (it may be a new key), not 401', async () => {
    const { fetch } = scriptedFetch(issuer.jwks, refused);
    const verifier = verifierWith(fetch, { cacheMaxAgeMs: 0, cooldownMs: 0 });
    await verifier.verify(await issuer.token());
    await expect(verifier.verify(await issuer.token({}, { kid: 'k-new', key: issuer.otherKey, alg: 'ES256' }))).rejects.toBeInstanceOf(
      KeySetUnavailableError,
    );
  });

  it('when a fetch just failed, then requests within the back-off do not fetch again', async () => {
    const { fetch, seen } = scriptedFetch(refused);
    const verifier = verifierWith(fetch, { failureBackoffMs: 60_000 });
    const token = await issuer.token();
    for (let i = 0; i < 3; i++) await expect(verifier.verify(token)).rejects.toBeInstanceOf(KeySetUnavailableError);
    expect(seen).toHaveLength(1);
  });

  it('when the key set refuses a forged token (alg none, HS256), then no fetch is made at all', async () => {
    const { fetch, seen } = scriptedFetch(issuer.jwks);
    const verifier = verifierWith(fetch);
    const { hmacWithPublicKey, unsignedToken } = await import('./support/tokens');
    await expect(verifier.verify(unsignedToken())).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verifier.verify(hmacWithPublicKey(issuer.publicKeyPem, 'k1'))).rejects.toBeInstanceOf(InvalidTokenError);
    expect(seen).toHaveLength(0);
  });
});
