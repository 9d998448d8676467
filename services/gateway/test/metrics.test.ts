import request from 'supertest';
import { metricsRegistry } from '@staycar/common';
import { metricSum } from '@staycar/common/testing';
import { testGateway } from './support/gateway';
import { createTestIssuer, type TestIssuer } from './support/tokens';

// The gateway matches its allow-list itself (no Express route): its request metrics name the
// allow-list's template, its dashboard files `static`, and everything else `unmatched`. It has no
// /metrics of its own: they are served on METRICS_PORT by runService, never on the public port.

let issuer: TestIssuer;
let bearer: string;
const saved = process.env.METRICS_PORT;
beforeAll(async () => {
  issuer = await createTestIssuer();
  bearer = `Bearer ${await issuer.token({ sub: 'u-1' })}`;
  process.env.METRICS_PORT = '9110'; // metrics on; nothing listens in a unit test
});
afterAll(() => {
  if (saved === undefined) delete process.env.METRICS_PORT;
  else process.env.METRICS_PORT = saved;
});

const count = async (labels: Record<string, string>) => metricSum(await metricsRegistry.metrics(), 'staycar_http_requests_total', labels);

describe('the gateway’s request metrics', () => {
  it('when an allow-listed route with an id is forwarded, then it is counted under its template, never its id', async () => {
    const { app } = testGateway({ issuer });
    const before = await count({ method: 'GET', route: '/rooms/:id', status: '200' });
    await request(app).get('/rooms/room-7f3a9').expect(200);
    await request(app).get('/reservations/res-11aa').set('authorization', bearer).expect(200);
    expect(await count({ method: 'GET', route: '/rooms/:id', status: '200' })).toBe(before + 1);
    expect(await count({ method: 'GET', route: '/reservations/:id', status: '200' })).toBeGreaterThanOrEqual(1);
    const text = await metricsRegistry.metrics();
    expect(text).not.toContain('room-7f3a9');
    expect(text).not.toContain('res-11aa');
  });

  it('when /metrics or an unknown path is asked on the public port, then 404, counted as `unmatched`', async () => {
    const { app } = testGateway({ issuer });
    const before = await count({ route: 'unmatched', status: '404' });
    for (const path of ['/metrics', '/metrics/', '/nothing/here-42']) {
      const res = await request(app).get(path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.text).not.toContain('staycar_http_requests_total');
    }
    expect(await count({ route: 'unmatched', status: '404' })).toBe(before + 3);
    expect(await metricsRegistry.metrics()).not.toContain('here-42');
  });

  it('when the dashboard is served, then it is counted as `static`', async () => {
    const { app } = testGateway({ issuer });
    const before = await count({ method: 'GET', route: 'static', status: '200' });
    await request(app).get('/').expect(200);
    expect(await count({ method: 'GET', route: 'static', status: '200' })).toBe(before + 1);
  });
});
