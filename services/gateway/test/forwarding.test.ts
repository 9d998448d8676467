import request from 'supertest';
import { IDENTITY_HEADERS } from '@staycar/common';
import { testGateway } from './support/gateway';
import { rawRequest } from './support/rawRequest';
import { createTestIssuer, type TestIssuer } from './support/tokens';

let issuer: TestIssuer;
let bearer: string;
beforeAll(async () => {
  issuer = await createTestIssuer();
  bearer = `Bearer ${await issuer.token({ sub: 'u-1' })}`;
});

describe('paths: only validated ids are forwarded', () => {
  const bypasses: [string, string][] = [
    ['GET', '/payments/..%2Finternal%2Fpayments%2Fby-reservation%2Fr1'],
    ['DELETE', '/rooms/..%2Finternal%2Frooms%2Froom1%2Fholds%2Fr1'],
    ['GET', '/rooms/..%2F..%2F..%2Fdapr%2Fsubscribe'],
    ['GET', '/rooms/..%5C..%5Cinternal'],
    ['GET', '/rooms/%2e%2e'],
    ['GET', '/rooms/%2E'],
    ['GET', '/rooms/%2e%2e%2finternal'],
    ['GET', '/rooms/..%252F..%252Finternal'],
    ['GET', '/rooms/%00'],
    ['GET', '/rooms/r1%00'],
    ['GET', '/rooms/%E0%A4%A'],
    ['GET', `/rooms/${'a'.repeat(101)}`],
    ['GET', '/rooms/a%20b'],
    ['GET', '/rooms/'],
    ['GET', '/rentcars/%2e%2e/availability'],
    ['POST', '/reservations/..%2F..%2Fv1.0%2Fstate%2Fstatestore/cancel'],
    ['GET', '/roomviews/%C3%A9'],
  ];

  it.each(bypasses)(
    'when %s %s is asked (with a valid token, Basic dapr-app-id:payment, or nothing), then 404 NOT_FOUND and nothing is forwarded',
    async (method, path) => {
      const { app, invoker } = testGateway({ issuer });
      for (const authorization of [bearer, 'Basic ZGFwci1hcHAtaWQ6cGF5bWVudA==', undefined]) {
        const headers: Record<string, string> = authorization ? { authorization } : {};
        const res = await rawRequest(
          app,
          method,
          path,
          method === 'POST' ? { ...headers, 'content-type': 'application/json' } : headers,
          method === 'POST' ? '{}' : undefined,
        );
        expect(res.status).toBe(404);
        expect(JSON.parse(res.body).error.code).toBe('NOT_FOUND');
      }
      expect(invoker.calls).toHaveLength(0);
    },
  );

  it.each([
    ['GET', '/rooms/..'],
    ['GET', '/rooms/.'],
    ['GET', '/rooms/../payments/p1'],
    ['DELETE', '/rooms/../internal/rooms/room1/holds/r1'],
  ])('when %s %s comes with a literal dot segment, then nothing is forwarded', async (method, path) => {
    const { app, invoker } = testGateway({ issuer });
    const res = await rawRequest(app, method, path, { authorization: bearer });
    expect(res.status).toBe(404);
    expect(invoker.calls).toHaveLength(0);
  });

  it('when an id is at the limit of the rule (100 characters of letters, digits and -_.:@), then it is forwarded', async () => {
    const { app, invoker } = testGateway({ issuer });
    const id = `${'a'.repeat(94)}-_.:@9`;
    expect((await request(app).get(`/rooms/${id}`)).status).toBe(200);
    expect(invoker.calls[0].pathAndQuery).toBe(`/rooms/${encodeURIComponent(id)}`);
  });

  it('when a normal id is asked, then the forwarded path is exactly /rooms/<id>', async () => {
    const { app, invoker } = testGateway({ issuer });
    await request(app).get('/rooms/room-1');
    expect(invoker.calls[0]).toMatchObject({ appId: 'room', method: 'GET', pathAndQuery: '/rooms/room-1' });
  });

  it('when an id is percent-encoded without need, then it is forwarded decoded and re-encoded', async () => {
    const { app, invoker } = testGateway({ issuer });
    await request(app).get('/rooms/%72oom1/availability?checkIn=2030-01-01&checkOut=2030-01-03');
    expect(invoker.calls[0].pathAndQuery).toBe('/rooms/room1/availability?checkIn=2030-01-01&checkOut=2030-01-03');
  });

  it('when the query holds slashes, dots and a #, then it is kept after the path and never changes it', async () => {
    const { app, invoker } = testGateway({ issuer });
    await rawRequest(app, 'GET', '/rooms?city=..%2Finternal&x=/../../v1.0#frag');
    expect(invoker.calls[0].pathAndQuery).toBe('/rooms?city=..%2Finternal&x=/../../v1.0%23frag');
    expect(invoker.calls[0].appId).toBe('viewpage');
  });

  it('when the path differs in case, has a doubled or a trailing slash, then it is not an allow-listed route (404)', async () => {
    const { app, invoker } = testGateway({ issuer });
    expect((await request(app).get('/ROOMS/r1')).status).toBe(404);
    expect((await request(app).get('//rooms/r1')).status).toBe(404);
    expect((await request(app).get('/rooms/r1/availability/')).status).toBe(404);
    expect(invoker.calls).toHaveLength(0);
  });
});

describe('headers: only what the gateway validated is forwarded', () => {
  it('when a client sends identity, Dapr, auth, cookie and hop-by-hop headers, then none of them reaches the service', async () => {
    const { app, invoker } = testGateway({ issuer });
    await request(app)
      .post('/reservations')
      .set('Authorization', bearer)
      .set('x-staycar-user-id', 'someone-else')
      .set('x-staycar-operator', 'true')
      .set('x-staycar-anything', 'x')
      .set('dapr-api-token', 'stolen')
      .set('dapr-app-id', 'payment')
      .set('dapr-caller-app-id', 'reservation')
      .set('cookie', 'session=1')
      .set('te', 'trailers')
      .set('upgrade', 'h2c')
      .set('x-forwarded-for', '10.0.0.1')
      .set('Idempotency-Key', 'k-1')
      .set('Accept', 'application/json')
      .send({ roomId: 'r1' });
    const sent = invoker.calls[0].headers;
    expect(Object.keys(sent).sort()).toEqual(
      ['accept', 'content-type', 'idempotency-key', IDENTITY_HEADERS.operator, IDENTITY_HEADERS.userId, 'x-request-id'].sort(),
    );
    expect(sent[IDENTITY_HEADERS.userId]).toBe('u-1');
    expect(sent[IDENTITY_HEADERS.operator]).toBe('false');
  });

  it('when an anonymous client sends x-staycar-user-id on a public route, then it is stripped, not forwarded', async () => {
    const { app, invoker } = testGateway({ issuer });
    await request(app).get('/rooms/r1').set('x-staycar-user-id', 'host-1').set('x-staycar-operator', 'true');
    expect(invoker.calls[0].headers[IDENTITY_HEADERS.userId]).toBeUndefined();
    expect(invoker.calls[0].headers[IDENTITY_HEADERS.operator]).toBeUndefined();
  });

  it('when the client sends X-Request-Id, then the service gets the same one', async () => {
    const { app, invoker } = testGateway({ issuer });
    const res = await request(app).get('/rooms/r1').set('X-Request-Id', 'req-123');
    expect(res.headers['x-request-id']).toBe('req-123');
    expect(invoker.calls[0].headers['x-request-id']).toBe('req-123');
  });
});

describe('trace context', () => {
  const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('when a valid traceparent and tracestate come in, then both are forwarded (and traceparent echoed)', async () => {
    const { app, invoker } = testGateway({ issuer });
    const res = await request(app).get('/rooms/r1').set('traceparent', VALID).set('tracestate', 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
    expect(invoker.calls[0].headers.traceparent).toBe(VALID);
    expect(invoker.calls[0].headers.tracestate).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
    expect(res.headers.traceparent).toBe(VALID);
  });

  it.each([
    ['upper case', VALID.toUpperCase()],
    ['all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['all-zero parent id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['trailing data on version 00', `${VALID}-extra`],
    ['an injected path', '00-../../internal-00f067aa0ba902b7-01'],
    ['two values', `${VALID}, ${VALID}`],
  ])(
    'when traceparent is invalid (%s), then it is not forwarded (nor echoed), the request is still served, and tracestate goes with it',
    async (_name, value) => {
      const { app, invoker } = testGateway({ issuer });
      const res = await request(app).get('/rooms/r1').set('traceparent', value).set('tracestate', 'congo=t61rcWkgMzE');
      expect(res.status).toBe(200);
      expect(invoker.calls[0].headers.traceparent).toBeUndefined();
      expect(invoker.calls[0].headers.tracestate).toBeUndefined();
      expect(res.headers.traceparent).toBeUndefined();
    },
  );

  it('when tracestate is invalid, then only tracestate is dropped', async () => {
    const { app, invoker } = testGateway({ issuer });
    await request(app).get('/rooms/r1').set('traceparent', VALID).set('tracestate', 'Bad Key=1');
    expect(invoker.calls[0].headers.traceparent).toBe(VALID);
    expect(invoker.calls[0].headers.tracestate).toBeUndefined();
  });

  it('when health is asked with an invalid traceparent, then the probes do not carry it either', async () => {
    const { app, invoker } = testGateway({ issuer });
    await request(app).get('/healthz').set('traceparent', 'ff-garbage');
    expect(invoker.probes.length).toBeGreaterThan(0);
    expect(invoker.probes.every((p) => p.headers.traceparent === undefined)).toBe(true);
  });
});
