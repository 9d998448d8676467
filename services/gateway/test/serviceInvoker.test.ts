import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DaprServiceInvoker } from '../src/adapters/serviceInvoker';

/** An in-process HTTP listener in the sidecar's place: records what the invoker sends, answers as told. */
async function fakeSidecar(answer: (req: http.IncomingMessage) => { status: number; headers?: Record<string, string>; body?: string }) {
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const out = answer(req);
      res.writeHead(out.status, out.headers ?? {});
      res.end(out.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('DaprServiceInvoker (the sidecar HTTP API)', () => {
  it('when forwarding, then it invokes the app method with exactly the given headers plus dapr-api-token, and passes back only allowed response headers', async () => {
    const sidecar = await fakeSidecar(() => ({
      status: 201,
      headers: { 'content-type': 'application/json', location: '/rooms/r1', 'set-cookie': 'x=1', 'x-internal': 'y' },
      body: '{"id":"r1"}',
    }));
    try {
      const invoker = new DaprServiceInvoker(sidecar.url, { apiToken: 'sidecar-secret' });
      const answer = await invoker.forward({
        appId: 'room',
        method: 'POST',
        pathAndQuery: '/rooms?x=1',
        headers: { 'content-type': 'application/json', 'x-staycar-user-id': 'u-1' },
        body: Buffer.from('{"a":1}'),
        timeoutMs: 2000,
      });
      expect(answer.status).toBe(201);
      expect(answer.headers).toEqual({ 'content-type': 'application/json', location: '/rooms/r1' });
      expect(answer.body.toString()).toBe('{"id":"r1"}');
      const [call] = sidecar.seen;
      expect(call).toMatchObject({ method: 'POST', url: '/v1.0/invoke/room/method/rooms?x=1', body: '{"a":1}' });
      expect(call.headers['dapr-api-token']).toBe('sidecar-secret');
      expect(call.headers['x-staycar-user-id']).toBe('u-1');
      expect(call.headers.authorization).toBeUndefined();
    } finally {
      await sidecar.close();
    }
  });

  it('when no API token is configured, then no dapr-api-token header is sent; probes report up/down', async () => {
    const sidecar = await fakeSidecar((req) => ({ status: req.url?.includes('/message/') ? 500 : 200 }));
    try {
      const invoker = new DaprServiceInvoker(sidecar.url);
      expect(await invoker.probe('room', 1000, { 'x-request-id': 'r' })).toBe(true);
      expect(await invoker.probe('message', 1000, {})).toBe(false);
      expect(sidecar.seen[0]).toMatchObject({ url: '/v1.0/invoke/room/method/healthz' });
      expect(sidecar.seen[0].headers['dapr-api-token']).toBeUndefined();
      expect(sidecar.seen[0].headers['x-request-id']).toBe('r');
    } finally {
      await sidecar.close();
    }
  });

  it('when the sidecar does not answer, then forward rejects (the app maps it to 503) and probe says down', async () => {
    const invoker = new DaprServiceInvoker('http://127.0.0.1:1');
    await expect(invoker.forward({ appId: 'room', method: 'GET', pathAndQuery: '/rooms', headers: {}, timeoutMs: 500 })).rejects.toThrow();
    expect(await invoker.probe('room', 500, {})).toBe(false);
  });
});
