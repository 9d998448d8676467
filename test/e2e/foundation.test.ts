import { api, newUser } from '../support/api';

describe('the running system (real sidecars, Redis, MariaDB)', () => {
  it('when the gateway health is asked, then every service answers up through Dapr service invocation', async () => {
    const { status, body } = await api('GET', '/healthz');
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'ok',
      services: { identity: 'up', room: 'up', rentcar: 'up', reservation: 'up', payment: 'up', message: 'up', viewpage: 'up' },
    });
  });

  it('when a client sends X-Request-Id, then the same id comes back; otherwise one is made', async () => {
    const echoed = await api('GET', '/healthz', undefined, { 'x-request-id': 'req-abc_123' });
    expect(echoed.headers.get('x-request-id')).toBe('req-abc_123');
    const made = await api('GET', '/healthz');
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when a route is not in the allow-list, then 404 in the API error shape (no sidecar API leaks)', async () => {
    for (const [method, route] of [
      ['GET', '/v1.0/metadata'],
      ['POST', '/payments'],
      ['GET', '/nope'],
    ]) {
      const { status, body } = await api(method, route, method === 'POST' ? {} : undefined);
      expect(status).toBe(404);
      expect(body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String), details: [] } });
    }
  });

  it('when a body is over 64 KiB, then the gateway answers 413 PAYLOAD_TOO_LARGE', async () => {
    // Signed in: an anonymous POST /rooms is refused (401) before its body is read.
    const host = await newUser('big-body-host');
    const { status, body } = await host.api('POST', '/rooms', { hostId: host.userId, name: 'x'.repeat(70 * 1024) });
    expect(status).toBe(413);
    expect(body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
