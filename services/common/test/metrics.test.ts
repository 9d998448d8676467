import type { AddressInfo } from 'node:net';
import express, { Router } from 'express';
import pino from 'pino';
import request from 'supertest';
import { metricSamples, metricSum } from '../testing';
import { observeInvocation } from '../src/metrics/breakers';
import {
  ConfigError,
  DependencyUnavailableError,
  InvocationError,
  createHttpApp,
  labelRoute,
  metricsPortFromEnv,
  metricsRegistry,
  mountSubscriptions,
  PoisonEventError,
  startMetricsServer,
} from '../src';

const logger = pino({ level: 'silent' });
const scrape = () => metricsRegistry.metrics();
const requests = async (labels: Record<string, string>) => metricSum(await scrape(), 'staycar_http_requests_total', labels);

describe('HTTP metrics: one series per route template, never per id', () => {
  const app = createHttpApp({
    logger,
    metrics: true,
    routes: (a) => {
      a.get('/widgets/:id', (_req, res) => void res.json({ ok: true }));
      a.post('/widgets/:id/parts', (_req, res) => void res.status(201).json({}));
      const router = Router();
      router.get('/items/:itemId', (_req, res) => void res.json({}));
      a.use('/shop', router);
      a.get('/gone/:id', () => {
        throw new ConfigError('boom');
      });
      // Code that matches paths itself (the gateway's allow-list) names the template it matched.
      a.use((req, res, next) => {
        if (!req.path.startsWith('/custom/')) return next();
        labelRoute(res, '/custom/:name');
        res.status(204).end();
      });
    },
  });

  it('when a route with an id answers, then the series is labelled by its template, method and status', async () => {
    const before = await requests({ method: 'GET', route: '/widgets/:id', status: '200' });
    await request(app).get('/widgets/w-123456').expect(200);
    await request(app).get('/widgets/w-999').expect(200);
    expect(await requests({ method: 'GET', route: '/widgets/:id', status: '200' })).toBe(before + 2);
    await request(app).post('/widgets/w-1/parts').send({}).expect(201);
    expect(await requests({ method: 'POST', route: '/widgets/:id/parts', status: '201' })).toBeGreaterThanOrEqual(1);
    const text = await scrape();
    expect(text).not.toContain('w-123456');
    expect(metricSum(text, 'staycar_http_request_duration_seconds_count', { route: '/widgets/:id', status: '200' })).toBeGreaterThanOrEqual(
      2,
    );
  });

  it('when a route of a mounted router answers, then its template includes the mount path', async () => {
    await request(app).get('/shop/items/i-42').expect(200);
    expect(await requests({ route: '/shop/items/:itemId', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(await scrape()).not.toContain('i-42');
  });

  it('when no route matches, then every such request shares the one label `unmatched` (404)', async () => {
    const before = await requests({ route: 'unmatched', status: '404' });
    await request(app).get('/no/such/path-a1').expect(404);
    await request(app).delete('/other-b2').expect(404);
    expect(await requests({ route: 'unmatched', status: '404' })).toBe(before + 2);
    const text = await scrape();
    expect(text).not.toContain('path-a1');
    expect(text).not.toContain('other-b2');
  });

  it('when a route throws, then its template and the error status are counted', async () => {
    await request(app).get('/gone/g-7').expect(500);
    expect(await requests({ route: '/gone/:id', status: '500' })).toBeGreaterThanOrEqual(1);
  });

  it('when a middleware labels the route, then that label is used', async () => {
    await request(app).get('/custom/anything-x9').expect(204);
    expect(await requests({ route: '/custom/:name', status: '204' })).toBeGreaterThanOrEqual(1);
    expect(await scrape()).not.toContain('anything-x9');
  });

  it('when metrics are off, then requests are not counted', async () => {
    const quiet = createHttpApp({ logger, metrics: false, routes: (a) => a.get('/quiet-route', (_req, res) => void res.json({})) });
    await request(quiet).get('/quiet-route').expect(200);
    expect(await requests({ route: '/quiet-route' })).toBe(0);
  });
});

describe('event metrics', () => {
  const app = express();
  app.use(express.json());
  mountSubscriptions(app, {
    config: { pubsub: 'pubsub', eventsTopics: ['events'], deadLetterTopic: 'dead' },
    logger,
    handlers: {
      GoodThing: async () => undefined,
      BadThing: () => Promise.reject(new Error('database down')),
      PoisonThing: () => Promise.reject(new PoisonEventError('no data')),
    },
  });
  const handled = async (type: string, verdict: string) =>
    metricSum(await scrape(), 'staycar_event_handling_seconds_count', { type, verdict });

  it('when events are handled, then their latency is recorded by type and verdict, and failures are counted', async () => {
    const [good, bad, poison] = [
      await handled('GoodThing', 'success'),
      await handled('BadThing', 'retry'),
      await handled('PoisonThing', 'drop'),
    ];
    await request(app).post('/events/GoodThing').send({ id: '1', type: 'GoodThing', data: {} }).expect(200);
    await request(app).post('/events/BadThing').send({ id: '2', type: 'BadThing', data: {} }).expect(500);
    await request(app).post('/events/PoisonThing').send({ id: '3', type: 'PoisonThing', data: {} }).expect(200);
    expect([await handled('GoodThing', 'success'), await handled('BadThing', 'retry'), await handled('PoisonThing', 'drop')]).toEqual([
      good + 1,
      bad + 1,
      poison + 1,
    ]);
    const text = await scrape();
    expect(metricSum(text, 'staycar_events_failed_total', { type: 'BadThing', verdict: 'retry' })).toBeGreaterThanOrEqual(1);
    expect(metricSum(text, 'staycar_events_failed_total', { type: 'PoisonThing', verdict: 'drop' })).toBeGreaterThanOrEqual(1);
    expect(metricSum(text, 'staycar_events_failed_total', { type: 'GoodThing' })).toBe(0);
  });

  it('when an event reaches the dead-letter topic, then it is counted by type; a type that is no name counts as `other`', async () => {
    const before = metricSum(await scrape(), 'staycar_events_dead_lettered_total', { type: 'PoisonThing' });
    await request(app).post('/events/dead-letter').send({ id: '4', type: 'PoisonThing', data: {} }).expect(200);
    await request(app).post('/events/dead-letter').send({ id: '5', type: 'rooms/../../x y', data: {} }).expect(200);
    const text = await scrape();
    expect(metricSum(text, 'staycar_events_dead_lettered_total', { type: 'PoisonThing' })).toBe(before + 1);
    expect(metricSum(text, 'staycar_events_dead_lettered_total', { type: 'other' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('x y');
  });
});

describe('the metrics server', () => {
  const saved = process.env.METRICS_PORT;
  afterEach(() => {
    if (saved === undefined) delete process.env.METRICS_PORT;
    else process.env.METRICS_PORT = saved;
  });

  it('when METRICS_PORT is unset or 0, then there is none; a bad value is a configuration error', () => {
    delete process.env.METRICS_PORT;
    expect(metricsPortFromEnv()).toBeUndefined();
    process.env.METRICS_PORT = '0';
    expect(metricsPortFromEnv()).toBeUndefined();
    process.env.METRICS_PORT = '9110';
    expect(metricsPortFromEnv()).toBe(9110);
    process.env.METRICS_PORT = 'nine';
    expect(() => metricsPortFromEnv()).toThrow(ConfigError);
  });

  it('when started, then GET /metrics answers the registry with the process metrics, and nothing else is served', async () => {
    const server = await startMetricsServer({ port: 0, host: '127.0.0.1', logger });
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const names = new Set(metricSamples(await res.text()).map((s) => s.name));
      expect(names).toContain('process_cpu_seconds_total');
      expect(names).toContain('nodejs_eventloop_lag_seconds');
      expect((await fetch(`${base}/`)).status).toBe(404);
      expect((await fetch(`${base}/metrics/../healthz`)).status).toBe(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(404);
    } finally {
      server.close();
    }
  });
});

describe('circuit breakers as the caller sees them', () => {
  const open = async (target: string) => metricSum(await scrape(), 'staycar_dapr_breaker_open', { target });
  const refusedBy = (target: string) =>
    new DependencyUnavailableError(`${target}/internal/x unavailable`, 500, {
      errorCode: 'ERR_DIRECT_INVOKE',
      message: `failed to invoke, id: ${target}, err: circuit breaker is open`,
    });

  it('when Dapr refuses a call because the breaker is open, then the target is 1 until a call to it is answered', async () => {
    const refusals = metricSum(await scrape(), 'staycar_dapr_breaker_refusals_total', { target: 'payment' });
    observeInvocation('payment', refusedBy('payment'));
    expect(await open('payment')).toBe(1);
    // Another failure (the callee is down, no breaker involved) says nothing new.
    observeInvocation(
      'payment',
      new DependencyUnavailableError('payment/x unavailable', 500, { message: 'no host found with the given ID' }),
    );
    expect(await open('payment')).toBe(1);
    observeInvocation('payment', new InvocationError('payment/x answered 500', 500, {}));
    expect(await open('payment')).toBe(0);
    observeInvocation('payment', refusedBy('payment'));
    observeInvocation('payment');
    expect(await open('payment')).toBe(0);
    expect(metricSum(await scrape(), 'staycar_dapr_breaker_refusals_total', { target: 'payment' })).toBe(refusals + 2);
  });
});
