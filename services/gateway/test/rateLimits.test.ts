import request from 'supertest';
import pino from 'pino';
import { Writable } from 'node:stream';
import type { GatewayConfig } from '../src/config';
import { addressBucket } from '../src/ratelimit/callerKeys';
import { testGateway } from './support/gateway';
import { FailingRateCounter, MemoryRateCounter, SilentRateCounter } from './support/standIns';
import { createTestIssuer, type TestIssuer } from './support/tokens';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer();
});

const limits =
  (overrides: Partial<GatewayConfig['rateLimit']>, trustProxy: GatewayConfig['trustProxy'] = false) =>
  (c: GatewayConfig): GatewayConfig => ({
    ...c,
    rateLimit: { ...c.rateLimit, ...overrides },
    trustProxy,
  });

describe('the per-caller limit', () => {
  it('when an anonymous client sends more than RATE_LIMIT_PER_MINUTE, then 429 RATE_LIMITED with Retry-After, and that call is not forwarded', async () => {
    const { app, invoker } = testGateway({ issuer, config: limits({ perMinute: 3 }) });
    for (let i = 0; i < 3; i++) expect((await request(app).get('/rooms/r1')).status).toBe(200);
    const res = await request(app).get('/rooms/r1');
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String), details: [] } });
    expect(res.headers['retry-after']).toBe('59');
    expect(invoker.calls).toHaveLength(3);
  });

  it("when the caller is authenticated, then the limit is the user's: another user from the same address is not throttled", async () => {
    const { app } = testGateway({ issuer, config: limits({ perMinute: 2 }) });
    const alice = `Bearer ${await issuer.token({ sub: 'alice' })}`;
    const bob = `Bearer ${await issuer.token({ sub: 'bob' })}`;
    for (let i = 0; i < 2; i++) expect((await request(app).get('/roomviews').set('Authorization', alice)).status).toBe(200);
    expect((await request(app).get('/roomviews').set('Authorization', alice)).status).toBe(429);
    expect((await request(app).get('/roomviews').set('Authorization', bob)).status).toBe(200);
    expect((await request(app).get('/rooms')).status).toBe(200);
  });

  it('when one user calls from several addresses, then they share one budget', async () => {
    const { app } = testGateway({ issuer, config: limits({ perMinute: 2 }, ['loopback']) });
    const alice = `Bearer ${await issuer.token({ sub: 'alice' })}`;
    await request(app).get('/roomviews').set('Authorization', alice).set('X-Forwarded-For', '198.51.100.1');
    await request(app).get('/roomviews').set('Authorization', alice).set('X-Forwarded-For', '198.51.100.2');
    expect((await request(app).get('/roomviews').set('Authorization', alice).set('X-Forwarded-For', '198.51.100.3')).status).toBe(429);
  });

  it('when invalid tokens are sprayed, then they count against the address and end in 429', async () => {
    const { app } = testGateway({ issuer, config: limits({ perMinute: 2 }) });
    expect((await request(app).get('/roomviews').set('Authorization', 'Bearer x.y.z')).status).toBe(401);
    expect((await request(app).get('/roomviews').set('Authorization', 'Bearer x.y.z')).status).toBe(401);
    expect((await request(app).get('/roomviews').set('Authorization', 'Bearer x.y.z')).status).toBe(429);
  });

  it('when TRUST_PROXY is off, then X-Forwarded-For cannot buy a fresh budget', async () => {
    const { app } = testGateway({ issuer, config: limits({ perMinute: 1 }) });
    expect((await request(app).get('/rooms').set('X-Forwarded-For', '203.0.113.1')).status).toBe(200);
    expect((await request(app).get('/rooms').set('X-Forwarded-For', '203.0.113.2')).status).toBe(429);
  });

  it('when TRUST_PROXY names the proxy, then anonymous clients are told apart by the forwarded address', async () => {
    const { app } = testGateway({ issuer, config: limits({ perMinute: 1 }, ['loopback']) });
    expect((await request(app).get('/rooms').set('X-Forwarded-For', '203.0.113.1')).status).toBe(200);
    expect((await request(app).get('/rooms').set('X-Forwarded-For', '203.0.113.2')).status).toBe(200);
    expect((await request(app).get('/rooms').set('X-Forwarded-For', '203.0.113.1')).status).toBe(429);
  });

  it('when a limit is 0, then it is off', async () => {
    const counter = new MemoryRateCounter();
    const { app } = testGateway({ issuer, counter, config: limits({ perMinute: 0 }) });
    for (let i = 0; i < 5; i++) expect((await request(app).get('/rooms')).status).toBe(200);
    expect(counter.hits.size).toBe(0);
  });
});

describe('POST /auth/token: per address and username', () => {
  const signIn = (app: Parameters<typeof request>[0], username: string, address: string) =>
    request(app).post('/auth/token').set('X-Forwarded-For', address).send({ username, password: 'wrong-password' });

  it('when one username is tried more than AUTH_TOKEN_LIMIT_PER_MINUTE times from one address, then 429 with Retry-After', async () => {
    const { app, invoker } = testGateway({ issuer, config: limits({ authTokenPerMinute: 3 }, ['loopback']) });
    for (let i = 0; i < 3; i++) expect((await signIn(app, 'alice', '198.51.100.7')).status).toBe(200);
    const res = await signIn(app, 'alice', '198.51.100.7');
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(invoker.calls).toHaveLength(3);
  });

  it('when the limit is reached for one username, then another username from that address and the same username from another address still get through', async () => {
    const { app } = testGateway({ issuer, config: limits({ authTokenPerMinute: 1 }, ['loopback']) });
    expect((await signIn(app, 'alice', '198.51.100.7')).status).toBe(200);
    expect((await signIn(app, 'alice', '198.51.100.7')).status).toBe(429);
    expect((await signIn(app, 'ALICE ', '198.51.100.7')).status).toBe(429);
    expect((await signIn(app, 'bob', '198.51.100.7')).status).toBe(200);
    expect((await signIn(app, 'alice', '198.51.100.8')).status).toBe(200);
  });

  it('when the body is not JSON, then the attempt is still counted (under no username) and forwarded for the service to refuse', async () => {
    const { app, invoker } = testGateway({ issuer, config: limits({ authTokenPerMinute: 1 }) });
    const bad = () => request(app).post('/auth/token').set('content-type', 'application/json').send('{"username": ');
    expect((await bad()).status).toBe(200);
    expect((await bad()).status).toBe(429);
    expect(invoker.calls).toHaveLength(1);
  });

  it('does not apply to other routes', async () => {
    const { app } = testGateway({ issuer, config: limits({ authTokenPerMinute: 1 }) });
    for (let i = 0; i < 3; i++) expect((await request(app).get('/auth/jwks.json')).status).toBe(200);
  });
});

describe('POST /auth/signup: per address', () => {
  it('when an address signs up more than AUTH_SIGNUP_LIMIT_PER_MINUTE times, then 429, whatever the usernames', async () => {
    const { app } = testGateway({ issuer, config: limits({ authSignupPerMinute: 2 }, ['loopback']) });
    const signUp = (username: string, address: string) =>
      request(app).post('/auth/signup').set('X-Forwarded-For', address).send({ username, password: 'long-enough-1' });
    expect((await signUp('a1', '198.51.100.9')).status).toBe(200);
    expect((await signUp('a2', '198.51.100.9')).status).toBe(200);
    expect((await signUp('a3', '198.51.100.9')).status).toBe(429);
    expect((await signUp('a4', '198.51.100.10')).status).toBe(200);
  });
});

describe('when the rate limit store is down', () => {
  const captured = () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
    return { lines, logger };
  };

  it('when Redis refuses, then requests are served (fail open) and one warning is logged, not one per request', async () => {
    const { lines, logger } = captured();
    const counter = new FailingRateCounter();
    const { app } = testGateway({ issuer, counter, logger, config: limits({ perMinute: 1, authTokenPerMinute: 1 }) });
    for (let i = 0; i < 3; i++) expect((await request(app).get('/rooms')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await request(app).post('/auth/token').send({ username: 'a', password: 'b' })).status).toBe(200);
    expect(counter.calls).toBeGreaterThanOrEqual(6);
    expect(lines.filter((line) => line.includes('serving without limits'))).toHaveLength(1);
  });

  it('when Redis does not answer, then the request is served after RATE_LIMIT_REDIS_TIMEOUT_MS', async () => {
    const counter = new SilentRateCounter();
    const { app } = testGateway({ issuer, counter, config: limits({ perMinute: 1, redisTimeoutMs: 50 }) });
    const started = Date.now();
    expect((await request(app).get('/rooms')).status).toBe(200);
    expect((await request(app).get('/rooms')).status).toBe(200);
    expect(counter.calls).toBe(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('client address buckets', () => {
  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['203.0.113.5', '203.0.113.5'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::99', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['a::b:c:d:e:1.2.3.4', 'a:0:b:c::/64'],
    [undefined, 'unknown'],
  ])('%s counts as %s', (address, bucket) => {
    expect(addressBucket(address)).toBe(bucket);
  });
});
