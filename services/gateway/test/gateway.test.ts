import request from 'supertest';
import { testGateway } from './support/gateway';
import { json, RecordingInvoker } from './support/standIns';
import { createTestIssuer, type TestIssuer } from './support/tokens';

let issuer: TestIssuer;
let bearer: string;
beforeAll(async () => {
  issuer = await createTestIssuer();
  bearer = `Bearer ${await issuer.token()}`;
});

describe('the gateway', () => {
  it('when an allow-listed route is called, then it goes to the owning service with path, query, body and idempotency key', async () => {
    const { app, invoker } = testGateway({ issuer, invoker: new RecordingInvoker(() => json(201, { id: 'r1' })) });
    const res = await request(app).post('/reservations?x=1').set('Authorization', bearer).set('Idempotency-Key', 'k1').send({ a: 1 });
    expect(res.status).toBe(201);
    expect(invoker.calls[0]).toMatchObject({ appId: 'reservation', method: 'POST', pathAndQuery: '/reservations?x=1' });
    expect(invoker.calls[0].headers['idempotency-key']).toBe('k1');
    expect(invoker.calls[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(invoker.calls[0].body!.toString())).toEqual({ a: 1 });
  });

  it('when the auth routes are called, then they go to the identity app without a token', async () => {
    const { app, invoker } = testGateway({ issuer });
    expect(
      (
        await request(app)
          .post('/auth/signup')
          .send({ username: 'alice', password: 'x'.repeat(12) })
      ).status,
    ).toBe(200);
    expect(
      (
        await request(app)
          .post('/auth/token')
          .send({ username: 'alice', password: 'x'.repeat(12) })
      ).status,
    ).toBe(200);
    expect((await request(app).get('/auth/jwks.json')).status).toBe(200);
    expect(invoker.calls.map((c) => [c.appId, c.method, c.pathAndQuery])).toEqual([
      ['identity', 'POST', '/auth/signup'],
      ['identity', 'POST', '/auth/token'],
      ['identity', 'GET', '/auth/jwks.json'],
    ]);
  });

  it('when the service answers an error, then status, body and Retry-After pass through unchanged', async () => {
    const body = { error: { code: 'TRY_LATER', message: 'busy', details: [] } };
    const { app } = testGateway({ issuer, invoker: new RecordingInvoker(() => json(503, body, { 'retry-after': '5' })) });
    const res = await request(app).get('/rooms/abc');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toEqual(body);
  });

  it('when Dapr cannot reach the service, then 503 TRY_LATER with Retry-After', async () => {
    const failed = json(500, { errorCode: 'ERR_DIRECT_INVOKE', message: 'failed to invoke, id: room, err: connection refused' });
    const { app } = testGateway({ issuer, invoker: new RecordingInvoker(() => failed) });
    const res = await request(app).get('/rooms/abc');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('TRY_LATER');
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('when the call itself fails (own sidecar down, timeout), then 503 TRY_LATER', async () => {
    const invoker = new RecordingInvoker(() => {
      throw new Error('socket hang up');
    });
    const { app } = testGateway({ issuer, invoker });
    const res = await request(app).get('/roomviews').set('Authorization', bearer);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('TRY_LATER');
  });

  it('when a route is not on the allow-list (payment approval, sidecar API, internal routes), then 404 and nothing is forwarded', async () => {
    const { app, invoker } = testGateway({ issuer });
    expect((await request(app).post('/payments').set('Authorization', bearer).send({})).status).toBe(404);
    expect((await request(app).get('/v1.0/state/statestore/x').set('Authorization', bearer)).status).toBe(404);
    expect((await request(app).post('/internal/rooms/x/holds').set('Authorization', bearer).send({})).status).toBe(404);
    expect((await request(app).get('/dapr/subscribe')).status).toBe(404);
    expect(invoker.calls).toHaveLength(0);
  });

  it('when health is asked, then each service is reported up or down, identity included', async () => {
    const invoker = new RecordingInvoker();
    invoker.down.add('message');
    const { app } = testGateway({ issuer, invoker });
    const res = await request(app).get('/healthz');
    expect(res.body.status).toBe('degraded');
    expect(res.body.services).toMatchObject({ message: 'down', room: 'up', identity: 'up' });
  });

  it('when the dashboard is asked for, then its page is served without a token', async () => {
    const { app } = testGateway({ issuer });
    const res = await request(app).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('load shedding', () => {
  it('when more reservation requests are in flight than the bound, then the extra ones get 503 TRY_LATER at once', async () => {
    let releaseAll: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (releaseAll = resolve));
    const invoker = new RecordingInvoker(async (req) => {
      if (req.appId === 'reservation') await gate;
      return json(req.appId === 'reservation' ? 201 : 200, { id: 'r' });
    });
    const { app } = testGateway({ issuer, invoker, config: (c) => ({ ...c, maxInflightReservations: 2 }) });
    const reserve = () => request(app).post('/reservations').set('Authorization', bearer).send({});
    const slow = [reserve(), reserve()].map((r) => r.then((x) => x));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const shed = await reserve();
    expect(shed.status).toBe(503);
    expect(shed.body.error.code).toBe('TRY_LATER');
    expect(shed.headers['retry-after']).toBe('1');
    const reads = await request(app).get('/rooms/x');
    expect(reads.status).not.toBe(503);
    releaseAll();
    const done = await Promise.all(slow);
    expect(done.map((r) => r.status)).toEqual([201, 201]);
    expect((await reserve()).status).toBe(201);
  });
});

describe('conditional reads through the gateway', () => {
  it('when a client sends If-None-Match and the service answers 304, then the tag goes to the service and the 304 comes back bodiless with ETag and Cache-Control', async () => {
    const tag = '"v1"';
    const invoker = new RecordingInvoker((call) =>
      call.headers['if-none-match'] === tag
        ? { status: 304, headers: { etag: tag, 'cache-control': 'private, no-cache', vary: 'Authorization' }, body: Buffer.alloc(0) }
        : json(200, { items: [], nextCursor: null }, { etag: tag, 'cache-control': 'private, no-cache', vary: 'Authorization' }),
    );
    const { app } = testGateway({ issuer, invoker });
    const first = await request(app).get('/roomviews').set('Authorization', bearer);
    expect(first.status).toBe(200);
    expect(first.headers).toMatchObject({ etag: tag, 'cache-control': 'private, no-cache', vary: 'Authorization' });
    const again = await request(app).get('/roomviews').set('Authorization', bearer).set('If-None-Match', tag);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.etag).toBe(tag);
    expect(invoker.calls.map((c) => c.headers['if-none-match'])).toEqual([undefined, tag]);
  });
});
