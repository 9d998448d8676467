import { Type } from '@sinclair/typebox';
import request from 'supertest';
import pino from 'pino';
import {
  ApiError,
  BULK_ROUTE,
  ConfigError,
  createHttpApp,
  mountSubscriptions,
  parseBody,
  parseQuery,
  PoisonEventError,
  PageQuery,
  Strict,
  NonBlankText,
} from '../src';

const logger = pino({ level: 'silent' });
const Room = Strict({ name: NonBlankText(200), price: Type.Integer({ minimum: 0 }) });

function appWith(routes: Parameters<typeof createHttpApp>[0]['routes']) {
  return createHttpApp({ logger, routes });
}

describe('the HTTP skeleton', () => {
  const app = appWith((a) => {
    a.post('/things', (req, res) => void res.status(201).json(parseBody(Room, req.body)));
    a.get('/things', (req, res) => void res.json(parseQuery(Strict(PageQuery), req.query)));
    a.get('/boom', () => {
      throw new Error('secret internals');
    });
    a.get('/busy', () => {
      throw new ApiError(503, 'TRY_LATER', 'busy', [], 3);
    });
  });

  it('when the body is not JSON, then 400 MALFORMED_JSON', async () => {
    const res = await request(app).post('/things').set('content-type', 'application/json').send('{"name":');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'MALFORMED_JSON', message: expect.any(String), details: [] } });
  });

  it('when the body is over 64 KiB, then 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await request(app)
      .post('/things')
      .send({ name: 'x'.repeat(65 * 1024), price: 1 });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('when fields are unknown, missing, blank or out of range, then 400 VALIDATION_FAILED names each', async () => {
    const res = await request(app).post('/things').send({ name: '   ', price: -1, id: 'mine' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const fields = res.body.error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['id', 'name', 'price']);
  });

  it('when the body is valid, then the handler gets it', async () => {
    const res = await request(app).post('/things').send({ name: 'Sea view', price: 100 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ name: 'Sea view', price: 100 });
  });

  it('when limit is above 100, then 400; when absent, then 50', async () => {
    expect((await request(app).get('/things?limit=101')).status).toBe(400);
    expect((await request(app).get('/things')).body).toEqual({ limit: 50 });
  });

  it('when a handler throws, then 500 INTERNAL without the stack or message', async () => {
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('INTERNAL');
    expect(JSON.stringify(res.body)).not.toContain('secret internals');
  });

  it('when a 503 carries retry-after seconds, then the Retry-After header is set', async () => {
    const res = await request(app).get('/busy');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('3');
  });

  it('when a route does not exist, then 404 NOT_FOUND', async () => {
    const res = await request(app).get('/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('when X-Request-Id is sent, then it is echoed', async () => {
    const res = await request(app).get('/healthz').set('x-request-id', 'abc-1');
    expect(res.headers['x-request-id']).toBe('abc-1');
  });
});

describe('subscriptions served from our own routes', () => {
  const seen: string[] = [];
  const app = appWith((a) =>
    mountSubscriptions(a, {
      config: { pubsub: 'pubsub', eventsTopics: ['events'], deadLetterTopic: 'events-dead' },
      logger,
      handlers: {
        Good: async (event) => void seen.push(event.id),
        Flaky: async () => {
          throw new Error('database down');
        },
        Poison: async () => {
          throw new PoisonEventError('bad payload');
        },
      },
    }),
  );
  const deliver = (type: string) =>
    request(app)
      .post(`/events/${type}`)
      .set('content-type', 'application/cloudevents+json')
      .send(JSON.stringify({ id: `e-${type}`, type, data: {} }));

  it('when Dapr asks, then one routed subscription per topic with a dead-letter topic', async () => {
    const res = await request(app).get('/dapr/subscribe');
    expect(res.body[0]).toMatchObject({
      pubsubname: 'pubsub',
      topic: 'events',
      deadLetterTopic: 'events-dead',
      routes: { rules: expect.arrayContaining([{ match: 'event.type == "Good"', path: '/events/Good' }]) },
    });
  });

  it('when an event matches no rule, then the default route acknowledges it (not DROP, so not dead-lettered)', async () => {
    const subscription = (await request(app).get('/dapr/subscribe')).body[0];
    expect(subscription.routes.default).toBe('/events/_ignored');
    const res = await request(app)
      .post('/events/_ignored')
      .set('content-type', 'application/cloudevents+json')
      .send(JSON.stringify({ id: 'x', type: 'Other', data: {} }));
    expect(res.body).toEqual({ status: 'SUCCESS' });
  });

  it('when the handler succeeds, then SUCCESS', async () => {
    const res = await deliver('Good');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'SUCCESS' });
    expect(seen).toContain('e-Good');
  });

  it('when the handler fails, then a non-2xx answer so Dapr redelivers (never a silent success)', async () => {
    const res = await deliver('Flaky');
    expect(res.status).toBe(500);
  });

  it('when the event can never be processed, then DROP (to the dead-letter topic)', async () => {
    const res = await deliver('Poison');
    expect(res.body).toEqual({ status: 'DROP' });
  });
});

describe('sidecar failures', () => {
  it('when the sidecar or its store does not answer, then 503 TRY_LATER with Retry-After (not 500)', async () => {
    const { DependencyUnavailableError } = await import('../src');
    const app = appWith((a) => {
      a.get('/store-down', () => {
        throw new DependencyUnavailableError('state read: store unavailable');
      });
    });
    const res = await request(app).get('/store-down');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('TRY_LATER');
    expect(res.headers['retry-after']).toBeDefined();
  });
});

describe('domain errors at the HTTP edge', () => {
  it('when the store refuses for a reason of its own (a plain DaprError), then 503 TRY_LATER, not 500', async () => {
    const { DaprError } = await import('../src');
    const app = appWith((a) => {
      a.get('/store-refused', () => {
        throw new DaprError('state save failed: some store error', 500);
      });
    });
    const res = await request(app).get('/store-refused');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('TRY_LATER');
  });

  it.each([
    ['invalid', 400],
    ['unauthenticated', 401],
    ['declined', 402],
    ['forbidden', 403],
    ['not_found', 404],
    ['conflict', 409],
    ['unprocessable', 422],
    ['unavailable', 503],
  ] as const)('when a use case throws a DomainError of kind %s, then the answer is %i with its code and message', async (kind, status) => {
    const { DomainError } = await import('../src');
    const app = appWith((a) => {
      a.get('/refused', () => {
        throw new DomainError(kind, 'SOME_CODE', 'Some message.', [{ field: 'f', reason: 'r' }]);
      });
    });
    const res = await request(app).get('/refused');
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: { code: 'SOME_CODE', message: 'Some message.', details: [{ field: 'f', reason: 'r' }] } });
  });
});

describe('the app API token (only the app’s own sidecar may call it)', () => {
  const routes = (a: Parameters<Parameters<typeof createHttpApp>[0]['routes']>[0]) =>
    void a.get('/things', (_req, res) => void res.json({ ok: true }));

  it('when the token is configured, then a call without it or with another is 401 and health probes still answer', async () => {
    const app = createHttpApp({ logger, routes, appApiToken: 'sidecar-secret' });
    expect((await request(app).get('/things')).status).toBe(401);
    expect((await request(app).get('/things').set('dapr-api-token', 'sidecar-secreT')).status).toBe(401);
    expect((await request(app).get('/things').set('dapr-api-token', 'sidecar-secret')).status).toBe(200);
    expect((await request(app).get('/healthz')).status).toBe(200);
  });

  it('when APP_API_TOKEN is in the environment, then it is required by default; `false` turns it off (the gateway)', async () => {
    process.env.APP_API_TOKEN = 'from-env';
    try {
      expect((await request(createHttpApp({ logger, routes })).get('/things')).status).toBe(401);
      expect((await request(createHttpApp({ logger, routes })).get('/things').set('dapr-api-token', 'from-env')).status).toBe(200);
      expect((await request(createHttpApp({ logger, routes, appApiToken: false })).get('/things')).status).toBe(200);
    } finally {
      delete process.env.APP_API_TOKEN;
    }
  });
});

describe('subscriptions per family topic', () => {
  it('when a service reads several topics, then one routed subscription per topic, each with the dead-letter topic, and the dead-letter topic itself', async () => {
    const app = appWith((a) =>
      mountSubscriptions(a, {
        config: { pubsub: 'pubsub', eventsTopics: ['reservation-events', 'payment-events'], deadLetterTopic: 'deadletter-x' },
        logger,
        handlers: { ReservationCancelled: async () => undefined },
      }),
    );
    const body = (await request(app).get('/dapr/subscribe')).body as { topic: string; deadLetterTopic?: string }[];
    expect(body.map((s) => s.topic)).toEqual(['reservation-events', 'payment-events', 'deadletter-x']);
    expect(body.slice(0, 2).every((s) => s.deadLetterTopic === 'deadletter-x')).toBe(true);
  });

  it('when a service consumes nothing, then it subscribes to nothing (not even a dead-letter topic)', async () => {
    const app = appWith((a) =>
      mountSubscriptions(a, { config: { pubsub: 'p', eventsTopics: [], deadLetterTopic: 'd' }, logger, handlers: {} }),
    );
    expect((await request(app).get('/dapr/subscribe')).body).toEqual([]);
  });

  it('when a service consumes events but names no topic, then it refuses to start with a message that says so', () => {
    expect(() =>
      appWith((a) =>
        mountSubscriptions(a, {
          config: { pubsub: 'p', eventsTopics: [], deadLetterTopic: 'd' },
          logger,
          handlers: { Good: async () => undefined },
        }),
      ),
    ).toThrow(ConfigError);
  });
});

describe('bulk subscriptions (Dapr bulk subscribe)', () => {
  const bulk = { maxMessagesCount: 32, maxAwaitDurationMs: 100 };
  const entry = (entryId: string, type: string, id = `ev-${entryId}`) => ({
    entryId,
    event: { id, type, data: {} },
    contentType: 'application/cloudevents+json',
  });

  function bulkApp(batchHandler?: (events: { id: string }[]) => Promise<void>) {
    const handled: string[] = [];
    let flaky = true;
    const app = appWith((a) =>
      mountSubscriptions(a, {
        config: { pubsub: 'pubsub', eventsTopics: ['events'], deadLetterTopic: 'dead', bulk },
        logger,
        handlers: {
          Good: async (event) => void handled.push(event.id),
          Flaky: async () => {
            throw new Error('database down');
          },
          Poison: async () => {
            throw new PoisonEventError('bad payload');
          },
          Flipping: async () => {
            // Fails for a passing reason first, then is found unusable on the retry.
            if (flaky) {
              flaky = false;
              throw new Error('timeout');
            }
            throw new PoisonEventError('bad payload');
          },
        },
        batchHandler,
      }),
    );
    const deliver = (entries: object[]) => request(app).post(BULK_ROUTE).send({ id: 'b', topic: 'events', pubsubname: 'pubsub', entries });
    return { app, handled, deliver };
  }

  it('when Dapr asks, then each topic is one bulk subscription to one route, with its batch limits and the dead-letter topic', async () => {
    const { app } = bulkApp();
    const [first, deadLetter] = (await request(app).get('/dapr/subscribe')).body;
    expect(first).toEqual({
      pubsubname: 'pubsub',
      topic: 'events',
      route: BULK_ROUTE,
      deadLetterTopic: 'dead',
      bulkSubscribe: { enabled: true, ...bulk },
    });
    expect(deadLetter).toEqual({ pubsubname: 'pubsub', topic: 'dead', route: '/events/dead-letter' });
  });

  it('when a batch mixes good, unusable, failing and unconsumed events, then each entry gets its own status: only the unusable one is DROPped', async () => {
    const { deliver, handled } = bulkApp();
    const res = await deliver([
      entry('1', 'Good'),
      entry('2', 'Poison'),
      entry('3', 'Flaky'),
      entry('4', 'SomethingElse'),
      entry('5', 'Good'),
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      statuses: [
        { entryId: '1', status: 'SUCCESS' },
        { entryId: '2', status: 'DROP' },
        { entryId: '3', status: 'RETRY' },
        { entryId: '4', status: 'SUCCESS' },
        { entryId: '5', status: 'SUCCESS' },
      ],
    });
    expect(handled.sort()).toEqual(['ev-1', 'ev-5']);
  });

  it('when an event answered RETRY turns out unusable on a retry, then it stays RETRY (Dapr dead-letters it by position, wrong on a retried batch)', async () => {
    const { deliver } = bulkApp();
    expect((await deliver([entry('1', 'Good'), entry('2', 'Flipping', 'flip')])).body.statuses[1].status).toBe('RETRY');
    expect((await deliver([entry('0', 'Flipping', 'flip')])).body.statuses).toEqual([{ entryId: '0', status: 'RETRY' }]);
    // Another unusable event, never retried, is dropped at once.
    expect((await deliver([entry('0', 'Poison', 'fresh')])).body.statuses).toEqual([{ entryId: '0', status: 'DROP' }]);
  });

  it('when a batch handler takes the batch, then it gets the consumed events at once and the single handlers are not called', async () => {
    const batches: string[][] = [];
    const { deliver, handled } = bulkApp(async (events) => void batches.push(events.map((e) => e.id)));
    const res = await deliver([entry('1', 'Good'), entry('2', 'Other'), entry('3', 'Good')]);
    expect(res.body.statuses.map((s: { status: string }) => s.status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect(batches).toEqual([['ev-1', 'ev-3']]);
    expect(handled).toEqual([]);
  });

  it('when the batch handler fails, then the events go through the single handlers one by one: one bad event fails only itself', async () => {
    const { deliver, handled } = bulkApp(async () => {
      throw new PoisonEventError('one of them is unusable');
    });
    const res = await deliver([entry('1', 'Good'), entry('2', 'Poison'), entry('3', 'Good')]);
    expect(res.body.statuses.map((s: { status: string }) => s.status)).toEqual(['SUCCESS', 'DROP', 'SUCCESS']);
    expect(handled.sort()).toEqual(['ev-1', 'ev-3']);
  });

  it('when a bulk delivery is larger than the 64 KiB body limit of other routes, then it is still read', async () => {
    const { deliver } = bulkApp();
    const big = Array.from({ length: 20 }, (_, i) => ({
      ...entry(String(i), 'Good'),
      event: { id: `big-${i}`, type: 'Good', data: { pad: 'x'.repeat(8000) } },
    }));
    const res = await deliver(big);
    expect(res.status).toBe(200);
    expect(res.body.statuses).toHaveLength(20);
  });

  it('when the body carries no entries, then nothing is answered for them (Dapr counts an unanswered entry as RETRY)', async () => {
    const { deliver } = bulkApp();
    expect((await deliver([{ event: { id: 'x', type: 'Good' } }])).body).toEqual({ statuses: [] });
  });
});
