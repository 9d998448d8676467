import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import request from 'supertest';
import { AUDIENCE, ISSUER, privateJwk, setup, TestKeySource, TTL_SECONDS } from './support/setup';

type App = ReturnType<typeof setup>['app'];

const alice = { username: 'alice', password: 'correct horse battery', displayName: 'Alice Kim' };

async function signUp(app: App, user = alice): Promise<{ userId: string }> {
  const res = await request(app).post('/auth/signup').send(user);
  expect(res.status).toBe(201);
  return res.body;
}

/** Verifies a token as the gateway would: against the key set the service serves, with issuer and audience. */
async function verify(app: App, token: string) {
  const jwks = (await request(app).get('/auth/jwks.json').expect(200)).body as JSONWebKeySet;
  return jwtVerify(token, createLocalJWKSet(jwks), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'] });
}

describe('POST /auth/token', () => {
  it('when the password is right, then 200 answers a Bearer token that is never cached', async () => {
    const { app } = setup();
    await signUp(app);
    const res = await request(app).post('/auth/token').send({ username: 'alice', password: alice.password });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: TTL_SECONDS });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('when the token is verified against GET /auth/jwks.json, then its claims name the user, issuer and audience', async () => {
    const { app, keys } = setup();
    const { userId } = await signUp(app);
    const before = Math.floor(Date.now() / 1000);
    const { accessToken } = (await request(app).post('/auth/token').send({ username: 'alice', password: alice.password })).body;
    const { payload, protectedHeader } = await verify(app, accessToken);
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'JWT', kid: keys[0].kid });
    expect(payload).toEqual({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: userId,
      preferred_username: 'alice',
      name: 'Alice Kim',
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(payload.exp).toBe(Number(payload.iat) + TTL_SECONDS);
  });

  it('when a user signs in twice, then the tokens have different jti', async () => {
    const { app } = setup();
    await signUp(app);
    const one = (await request(app).post('/auth/token').send({ username: 'alice', password: alice.password })).body.accessToken;
    const two = (await request(app).post('/auth/token').send({ username: 'alice', password: alice.password })).body.accessToken;
    expect((await verify(app, one)).payload.jti).not.toBe((await verify(app, two)).payload.jti);
  });

  it('when a token is tampered with or verified for another audience, then jose refuses it', async () => {
    const { app } = setup();
    await signUp(app);
    const { accessToken } = (await request(app).post('/auth/token').send({ username: 'alice', password: alice.password })).body;
    const [header, , signature] = String(accessToken).split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'usr_00000000000000000000', iss: ISSUER, aud: AUDIENCE })).toString('base64url');
    await expect(verify(app, `${header}.${forged}.${signature}`)).rejects.toThrow();
    const jwks = (await request(app).get('/auth/jwks.json')).body as JSONWebKeySet;
    await expect(jwtVerify(accessToken, createLocalJWKSet(jwks), { issuer: ISSUER, audience: 'someone-else' })).rejects.toThrow();
  });

  it('when the password is wrong or the user unknown, then both answer the same 401 INVALID_CREDENTIALS', async () => {
    const { app } = setup();
    await signUp(app);
    const wrongPassword = await request(app).post('/auth/token').send({ username: 'alice', password: 'not the password' });
    const unknownUser = await request(app).post('/auth/token').send({ username: 'nobody', password: alice.password });
    const impossibleName = await request(app).post('/auth/token').send({ username: 'Alice', password: alice.password });
    for (const res of [wrongPassword, unknownUser, impossibleName]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual(wrongPassword.body);
    }
    expect(wrongPassword.body.error.code).toBe('INVALID_CREDENTIALS');
    expect(wrongPassword.body.error.message).not.toMatch(/alice|nobody|exist|unknown/i);
    expect(wrongPassword.body.error.details).toEqual([]);
  });

  it('when the user is unknown, then a password hash is still checked (the service hashes for nobody too)', async () => {
    const { app, identity } = setup();
    const spy = jest.spyOn(identity, 'unknownUserHash');
    await request(app).post('/auth/token').send({ username: 'nobody', password: 'whatever password' }).expect(401);
    expect(spy).toHaveBeenCalled();
  });

  it('when the body has an unknown field or no password, then 400 VALIDATION_FAILED', async () => {
    const { app } = setup();
    for (const body of [{ username: 'alice', password: 'x', scope: 'admin' }, { username: 'alice' }, { username: 'alice', password: '' }]) {
      const res = await request(app).post('/auth/token').send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('when the signing keys cannot be read, then 503 TRY_LATER, and once they can, tokens are issued (read again after a failure)', async () => {
    const source = new TestKeySource('not json');
    const { app } = setup({ source });
    await signUp(app);
    const failed = await request(app).post('/auth/token').send({ username: 'alice', password: alice.password });
    expect(failed.status).toBe(503);
    expect(failed.body.error.code).toBe('TRY_LATER');
    expect(failed.headers['retry-after']).toBeDefined();
    expect((await request(app).get('/readyz')).status).toBe(503);

    source.value = JSON.stringify([privateJwk('key-2')]);
    const ok = await request(app).post('/auth/token').send({ username: 'alice', password: alice.password });
    expect(ok.status).toBe(200);
    expect(decodeProtectedHeader(ok.body.accessToken).kid).toBe('key-2');
    expect((await request(app).get('/readyz')).status).toBe(200);
  });

  it('when the keys were read once, then they are not read again for every token', async () => {
    const { app, source } = setup();
    await signUp(app);
    for (let i = 0; i < 3; i++) await request(app).post('/auth/token').send({ username: 'alice', password: alice.password }).expect(200);
    await request(app).get('/auth/jwks.json').expect(200);
    expect(source.reads).toBe(1);
  });

  it('when a key was rotated, then new tokens are signed by the new key and tokens of the old one still verify', async () => {
    const old = privateJwk('key-old');
    const before = setup({ keys: [old] });
    await signUp(before.app);
    const oldToken = (await request(before.app).post('/auth/token').send({ username: 'alice', password: alice.password })).body.accessToken;

    // The same users, the rotated secret (new key first, the old one still published), a restarted service.
    const after = setup({ keys: [privateJwk('key-new'), old] });
    await signUp(after.app);
    const newToken = (await request(after.app).post('/auth/token').send({ username: 'alice', password: alice.password })).body.accessToken;
    expect(decodeProtectedHeader(newToken).kid).toBe('key-new');
    await expect(verify(after.app, newToken)).resolves.toBeDefined();
    await expect(verify(after.app, oldToken)).resolves.toBeDefined();
  });
});
