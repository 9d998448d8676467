import request from 'supertest';
import pino from 'pino';
import type { ForwardedRequest, ForwardedResponse, ServiceInvoker } from '../src/adapters/serviceInvoker';
import { createGatewayApp } from '../src/http/app';
import { loadConfig } from '../src/config';

function gatewayWith(answer: (req: ForwardedRequest) => ForwardedResponse | Promise<ForwardedResponse>) {
  const calls: ForwardedRequest[] = [];
  const invoker = {
    forward: async (req: ForwardedRequest) => {
      calls.push(req);
      return answer(req);
    },
    probe: async (appId: string) => appId !== 'message',
  } as unknown as ServiceInvoker;
  const app = createGatewayApp({ config: loadConfig(), logger: pino({ level: 'silent' }), invoker, sidecarHealthy: async () => true });
  return { app, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): ForwardedResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: Buffer.from(JSON.stringify(body)),
});

describe('the gateway', () => {
  it('when a public route is called, then it goes to the owning service with path, query, body and idempotency key', async () => {
    const { app, calls } = gatewayWith(() => json(201, { id: 'r1' }));
    const res = await request(app).post('/reservations?x=1').set('Idempotency-Key', 'k1').send({ a: 1 });
    expect(res.status).toBe(201);
    expect(calls[0]).toMatchObject({ appId: 'reservation', method: 'POST', pathAndQuery: '/reservations?x=1' });
    expect(calls[0]!.headers['idempotency-key']).toBe('k1');
    expect(JSON.parse(calls[0]!.body!.toString())).toEqual({ a: 1 });
  });

  it("when the service answers an error, then status, body and Retry-After pass through unchanged", async () => {
    const body = { error: { code: 'TRY_LATER', message: 'busy', details: [] } };
    const { app } = gatewayWith(() => json(503, body, { 'retry-after': '5' }));
    const res = await request(app).get('/rooms/abc');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toEqual(body);
  });

  it('when Dapr cannot reach the service, then 503 TRY_LATER with Retry-After', async () => {
    const { app } = gatewayWith(() => json(500, { errorCode: 'ERR_DIRECT_INVOKE', message: 'failed to invoke, id: room, err: connection refused' }));
    const res = await request(app).get('/rooms/abc');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('TRY_LATER');
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('when the call itself fails (own sidecar down, timeout), then 503 TRY_LATER', async () => {
    const { app } = gatewayWith(() => {
      throw new Error('fetch failed');
    });
    const res = await request(app).get('/roomviews');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('TRY_LATER');
  });

  it('when a route is not public (payment approval, sidecar API), then 404 and nothing is forwarded', async () => {
    const { app, calls } = gatewayWith(() => json(200, {}));
    expect((await request(app).post('/payments').send({})).status).toBe(404);
    expect((await request(app).get('/v1.0/state/statestore/x')).status).toBe(404);
    expect((await request(app).post('/internal/rooms/x/holds').send({})).status).toBe(404);
    expect(calls).toHaveLength(0);
  });

  it('when health is asked, then each service is reported up or down', async () => {
    const { app } = gatewayWith(() => json(200, {}));
    const res = await request(app).get('/healthz');
    expect(res.body.status).toBe('degraded');
    expect(res.body.services.message).toBe('down');
    expect(res.body.services.room).toBe('up');
  });
});

describe('load shedding', () => {
  it('when more reservation requests are in flight than the bound, then the extra ones get 503 TRY_LATER at once', async () => {
    process.env.MAX_INFLIGHT_RESERVATIONS = '2';
    let releaseAll: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (releaseAll = resolve));
    const { app } = gatewayWith(async (req) => {
      if (req.appId === 'reservation') await gate;
      return json(req.appId === 'reservation' ? 201 : 200, { id: 'r' });
    });
    delete process.env.MAX_INFLIGHT_RESERVATIONS;
    const slow = [request(app).post('/reservations').send({}), request(app).post('/reservations').send({})].map((r) => r.then((x) => x));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const shed = await request(app).post('/reservations').send({});
    expect(shed.status).toBe(503);
    expect(shed.body.error.code).toBe('TRY_LATER');
    expect(shed.headers['retry-after']).toBe('1');
    const reads = await request(app).get('/rooms/x');
    expect(reads.status).not.toBe(503);
    releaseAll();
    const done = await Promise.all(slow);
    expect(done.map((r) => r.status)).toEqual([201, 201]);
    expect((await request(app).post('/reservations').send({})).status).toBe(201);
  });
});
