import request from 'supertest';
import { IDENTITY_HEADERS } from '@staycar/common';
import { KeySetUnavailableError, type TokenVerifier } from '../src/ports';
import { ALLOWED_ROUTES } from '../src/http/routes';
import { testGateway } from './support/gateway';
import { createTestIssuer, hmacWithPublicKey, unsignedToken, type TestIssuer } from './support/tokens';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer();
});

/** A concrete URL for a route template. */
const urlOf = (path: string) => path.replace(/:[a-z]+/gi, 'x1');
const call = (app: Parameters<typeof request>[0], method: string, path: string) => {
  const agent = request(app);
  const req =
    method === 'GET' ? agent.get(path) : method === 'POST' ? agent.post(path) : method === 'PATCH' ? agent.patch(path) : agent.delete(path);
  return method === 'GET' || method === 'DELETE' ? req : req.send({});
};

const PROTECTED = ALLOWED_ROUTES.filter((r) => r.access === 'protected');
const PUBLIC = ALLOWED_ROUTES.filter((r) => r.access === 'public');

describe('which routes need a token', () => {
  it('the public routes are exactly those of API.md', () => {
    expect(PUBLIC.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [
        'POST /auth/signup',
        'POST /auth/token',
        'GET /auth/jwks.json',
        'GET /rooms',
        'GET /rooms/:id',
        'GET /rooms/:id/availability',
        'GET /rooms/:id/reviews',
        'GET /rentcars',
        'GET /rentcars/:id',
        'GET /rentcars/:id/availability',
        'GET /search/rooms',
      ].sort(),
    );
  });

  it.each(PROTECTED.map((r) => [r.method, r.path] as const))(
    'when %s %s is called without a token, then 401 UNAUTHENTICATED with WWW-Authenticate: Bearer and nothing is forwarded',
    async (method, path) => {
      const { app, invoker } = testGateway({ issuer });
      const res = await call(app, method, urlOf(path));
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(invoker.calls).toHaveLength(0);
    },
  );

  it.each(PUBLIC.map((r) => [r.method, r.path] as const))(
    'when %s %s is called without a token, then it is forwarded, with no identity',
    async (method, path) => {
      const { app, invoker } = testGateway({ issuer });
      const res = await call(app, method, urlOf(path));
      expect(res.status).toBe(200);
      expect(invoker.calls).toHaveLength(1);
      expect(invoker.calls[0].headers[IDENTITY_HEADERS.userId]).toBeUndefined();
      expect(invoker.calls[0].headers[IDENTITY_HEADERS.operator]).toBeUndefined();
    },
  );
});

describe('tokens that are refused', () => {
  const forged: [string, () => Promise<string>][] = [
    ['alg none', async () => unsignedToken()],
    ['HS256 with the public key PEM as secret', async () => hmacWithPublicKey(issuer.publicKeyPem, 'k1')],
    ['HS256 with the public JWK as secret', async () => hmacWithPublicKey(issuer.publicJwkJson, 'k1')],
    ['HS256 with the public key PEM as secret, no kid', async () => hmacWithPublicKey(issuer.publicKeyPem)],
    ['signed by another key under the issuer kid', () => issuer.token({}, { key: issuer.otherKey, kid: 'k1' })],
    ['signed by another key under an unknown kid', () => issuer.token({}, { key: issuer.otherKey, kid: 'attacker' })],
    ['expired', () => issuer.token({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 })],
    ['not yet valid', () => issuer.token({ nbf: Math.floor(Date.now() / 1000) + 600 })],
    ['from another issuer', () => issuer.token({ iss: 'https://evil.example' })],
    ['for another audience', () => issuer.token({ aud: 'another-api' })],
    ['without a usable sub', () => issuer.token({ sub: '../internal' })],
    ['garbage', async () => 'garbage'],
    ['three garbage parts', async () => 'a.b.c'],
    ['a valid token with its signature cut off', async () => (await issuer.token()).split('.').slice(0, 2).join('.') + '.'],
  ];

  it.each(forged)(
    'when the token is %s, then 401 with error="invalid_token" on a protected route, and nothing is forwarded',
    async (_name, make) => {
      const { app, invoker } = testGateway({ issuer });
      const res = await request(app)
        .post('/reservations')
        .set('Authorization', `Bearer ${await make()}`)
        .send({});
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(invoker.calls).toHaveLength(0);
    },
  );

  it.each(forged)('when the token is %s, then 401 on a public route too', async (_name, make) => {
    const { app, invoker } = testGateway({ issuer });
    const res = await request(app)
      .get('/rooms/r1')
      .set('Authorization', `Bearer ${await make()}`);
    expect(res.status).toBe(401);
    expect(invoker.calls).toHaveLength(0);
  });

  it('when a correctly signed token carries no exp, then 401 (a token must expire)', async () => {
    const { app, invoker } = testGateway({ issuer });
    const token = await issuer.token({}, { expiresIn: null });
    expect((await request(app).get('/roomviews').set('Authorization', `Bearer ${token}`)).status).toBe(401);
    expect(invoker.calls).toHaveLength(0);
  });

  it('when the algorithm of a correctly signed token is not in AUTH_ALGORITHMS, then 401', async () => {
    const { app, invoker } = testGateway({ issuer, config: (c) => ({ ...c, auth: { ...c.auth, algorithms: ['ES256'] } }) });
    const rsa = await issuer.token({}, { kid: 'k3' });
    expect((await request(app).get('/roomviews').set('Authorization', `Bearer ${rsa}`)).status).toBe(401);
    expect(invoker.calls).toHaveLength(0);
  });

  it('when Authorization is another scheme (Basic dapr-app-id:payment), then 401 with a Bearer challenge and nothing is forwarded', async () => {
    const { app, invoker } = testGateway({ issuer });
    const res = await request(app).get('/rooms/r1').set('Authorization', 'Basic ZGFwci1hcHAtaWQ6cGF5bWVudA==');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(invoker.calls).toHaveLength(0);
  });

  it('when "Bearer" comes without a token, then 401 invalid_token', async () => {
    const { app } = testGateway({ issuer });
    const res = await request(app).get('/rooms').set('Authorization', 'Bearer ');
    expect(res.status).toBe(401);
  });

  it('when an invalid token is sent for a dashboard file, then 401 there too', async () => {
    const { app } = testGateway({ issuer });
    expect((await request(app).get('/').set('Authorization', 'Bearer garbage')).status).toBe(401);
    expect(
      (
        await request(app)
          .get('/')
          .set('Authorization', `Bearer ${await issuer.token()}`)
      ).status,
    ).toBe(200);
  });
});

describe('tokens that are accepted', () => {
  it('when a valid token calls a protected route, then it is forwarded with the user id and operator "false"', async () => {
    const { app, invoker } = testGateway({ issuer });
    const token = await issuer.token({ sub: 'u-42', preferred_username: 'bob' });
    const res = await request(app).get('/reservations/res1').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(invoker.calls[0].headers[IDENTITY_HEADERS.userId]).toBe('u-42');
    expect(invoker.calls[0].headers[IDENTITY_HEADERS.operator]).toBe('false');
  });

  it('when the username is in ADMIN_USERNAMES, then the operator flag is "true"', async () => {
    const { app, invoker } = testGateway({
      issuer,
      config: (c) => ({ ...c, auth: { ...c.auth, adminUsernames: new Set(['ops', 'root']) } }),
    });
    const admin = await issuer.token({ sub: 'u-ops', preferred_username: 'ops' });
    const other = await issuer.token({ sub: 'u-1', preferred_username: 'opsx' });
    const noName = await issuer.token({ sub: 'u-2', preferred_username: undefined });
    for (const token of [admin, other, noName]) await request(app).get('/roomviews').set('Authorization', `Bearer ${token}`);
    expect(invoker.calls.map((c) => c.headers[IDENTITY_HEADERS.operator])).toEqual(['true', 'false', 'false']);
  });

  it('when a token is valid on a public route, then the identity is forwarded there too', async () => {
    const { app, invoker } = testGateway({ issuer });
    await request(app)
      .get('/rooms/r1')
      .set('Authorization', `Bearer ${await issuer.token({ sub: 'u-7' })}`);
    expect(invoker.calls[0].headers[IDENTITY_HEADERS.userId]).toBe('u-7');
  });

  it('when the token is EdDSA or RS256 from the issuer key set, then it is accepted (AUTH_ALGORITHMS default)', async () => {
    const { app, invoker } = testGateway({ issuer });
    for (const kid of ['k2', 'k3']) {
      const res = await request(app)
        .get('/roomviews')
        .set('Authorization', `Bearer ${await issuer.token({}, { kid })}`);
      expect(res.status).toBe(200);
    }
    expect(invoker.calls).toHaveLength(2);
  });

  it('when the token expired within the clock tolerance, then it is still accepted', async () => {
    const { app } = testGateway({ issuer });
    const token = await issuer.token({}, { expiresIn: Math.floor(Date.now() / 1000) - 2 });
    expect((await request(app).get('/roomviews').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });
});

describe('when the issuer keys cannot be loaded', () => {
  const down: TokenVerifier = {
    verify: async () => {
      throw new KeySetUnavailableError('identity down');
    },
  };

  it('then a request with a token answers 503 TRY_LATER with Retry-After, not 401', async () => {
    const { app, invoker } = testGateway({ issuer, verifier: down });
    const res = await request(app)
      .get('/roomviews')
      .set('Authorization', `Bearer ${await issuer.token()}`);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('TRY_LATER');
    expect(res.headers['retry-after']).toBeDefined();
    expect(invoker.calls).toHaveLength(0);
  });

  it('then anonymous public reads still work', async () => {
    const { app } = testGateway({ issuer, verifier: down });
    expect((await request(app).get('/rooms/r1')).status).toBe(200);
  });
});
