import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { DaprError, DependencyUnavailableError, EtagConflictError, InvocationError, runWithContext, Sidecar } from '../src';

// `Sidecar` speaks the sidecar's HTTP API itself. What a real daprd answers is proven against one in
// test/e2e (state-contract, sidecar-adapter, saga, security); this stand-in only covers what a real
// sidecar does not produce on demand: malformed answers, a transient store error, a dropped
// connection, and the parts of a request whose effect takes too long to observe (TTL).

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Answer = { status: number; body?: string; destroy?: boolean };

let server: http.Server;
let port: number;
let seen: Seen[];
let answers: Answer[];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const answer = answers.shift() ?? { status: 204 };
      if (answer.destroy) {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, answer.body ? { 'content-type': 'application/json' } : {});
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let sidecar: Sidecar;
beforeEach(() => {
  seen = [];
  answers = [];
  sidecar = Sidecar.create(
    { daprHost: '127.0.0.1', daprHttpPort: port, stateStore: 'statestore', pubsub: 'pubsub', daprApiToken: 'tok' },
    pino({ level: 'silent' }),
  );
});
afterEach(() => sidecar.stop());

const json = (s: Seen): unknown => JSON.parse(s.body);

describe('what Sidecar sends', () => {
  it('when a key is saved with a TTL, then the write is first-write, strong, with metadata ttlInSeconds and the API token', async () => {
    await sidecar.saveState({ key: 'k', value: { n: 1 }, ttlSeconds: 30 });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1.0/state/statestore', headers: { 'dapr-api-token': 'tok' } });
    expect(json(seen[0])).toEqual([
      { key: 'k', value: { n: 1 }, metadata: { ttlInSeconds: '30' }, options: { concurrency: 'first-write', consistency: 'strong' } },
    ]);
  });

  it('when a key is deleted with an ETag, then the DELETE is first-write with If-Match', async () => {
    await sidecar.deleteState('room:1', '7');
    expect(seen[0]).toMatchObject({
      method: 'DELETE',
      url: '/v1.0/state/statestore/room:1?concurrency=first-write',
      headers: { 'if-match': '7' },
    });
  });

  it('when a service is invoked inside a request, then the trace headers travel and a JSON answer comes back parsed', async () => {
    answers.push({ status: 200, body: '{"ok":true}' });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const answer = await runWithContext({ requestId: 'r-1', traceparent }, () => sidecar.invoke('room', 'internal/x', 'POST', { a: 1 }));
    expect(answer).toEqual({ ok: true });
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/v1.0/invoke/room/method/internal/x',
      headers: { traceparent, 'x-request-id': 'r-1', 'content-type': 'application/json', 'dapr-api-token': 'tok' },
    });
    expect(json(seen[0])).toEqual({ a: 1 });
  });
});

describe('how Sidecar reads what it did not expect', () => {
  it('when the bulk read answers something that is not a list, then it is a DaprError, not a store outage', async () => {
    answers.push({ status: 200, body: '{"oops":1}' });
    const error = await sidecar.getState('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaprError);
    expect(error).not.toBeInstanceOf(DependencyUnavailableError);
  });

  it('when a store without a bulk read of its own fails one key (Redis restarting), then the read fails: never "not found"', async () => {
    answers.push({ status: 200, body: '[{"key":"room:1","error":"dial tcp 127.0.0.1:6379: connect: connection refused"}]' });
    await expect(sidecar.getState('room:1')).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('when PostgreSQL refuses a create-only write ("no item was updated", a 500), then it is an EtagConflictError', async () => {
    answers.push({
      status: 500,
      body: '{"errorCode":"ERR_STATE_SAVE","message":"failed saving state in state store statestore: no item was updated"}',
    });
    await expect(sidecar.saveState({ key: 'k', value: 1 })).rejects.toBeInstanceOf(EtagConflictError);
  });

  it('when the store fails with a transient MariaDB error, then the write is sent again and succeeds', async () => {
    answers.push({
      status: 500,
      body: '{"errorCode":"ERR_STATE_SAVE","message":"Error 1467 (HY000): Failed to read auto-increment value"}',
    });
    await sidecar.saveState({ key: 'k', value: 1 });
    expect(seen).toHaveLength(2);
  });

  it('when the sidecar answers a duplicate key, then it is an EtagConflictError', async () => {
    answers.push({ status: 500, body: '{"errorCode":"ERR_STATE_TRANSACTION","message":"Error 1062: Duplicate entry"}' });
    await expect(sidecar.saveWithEvent({ key: 'k', value: 1 }, { type: 'T', data: {} })).rejects.toBeInstanceOf(EtagConflictError);
  });

  it('when the connection drops without an answer, then state, binding and invocation are DependencyUnavailableError', async () => {
    answers.push({ status: 0, destroy: true }, { status: 0, destroy: true }, { status: 0, destroy: true });
    await expect(sidecar.getState('k')).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(sidecar.invokeBinding('mail', 'create', { a: 1 })).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(sidecar.invoke('room', 'x')).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('when a callee answers a non-2xx text body, then it is an InvocationError with its status and the text', async () => {
    answers.push({ status: 418, body: 'short and stout' });
    const error = (await sidecar.invoke('room', 'x').catch((e: unknown) => e)) as InvocationError;
    expect(error).toBeInstanceOf(InvocationError);
    expect(error).toMatchObject({ status: 418, body: 'short and stout' });
  });

  it('when a callee answers 204 without a body, then the answer is the empty string (as the SDK gave it)', async () => {
    answers.push({ status: 204 });
    expect(await sidecar.invoke('room', 'x', 'DELETE')).toBe('');
  });
});
