import request from 'supertest';
import type { GatewayConfig } from '../src/config';
import { DOCS_CSP } from '../src/http/apiDocs';
import { testGateway } from './support/gateway';
import { createTestIssuer, type TestIssuer } from './support/tokens';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer();
});

const perMinute =
  (n: number) =>
  (c: GatewayConfig): GatewayConfig => ({ ...c, rateLimit: { ...c.rateLimit, perMinute: n } });

describe('GET /openapi.json and GET /docs', () => {
  it('when anyone asks for /openapi.json without a token, then it is the OpenAPI 3.1 document, served by the gateway itself', async () => {
    const { app, invoker } = testGateway({ issuer });
    const res = await request(app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toContain('/roomviews');
    expect(invoker.calls).toEqual([]);
  });

  it('when /docs is opened, then it is the renderer’s page under a CSP that allows only this origin’s scripts', async () => {
    const { app } = testGateway({ issuer });
    const res = await request(app).get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toBe(DOCS_CSP);
    expect(DOCS_CSP).toMatch(/script-src 'self'(;|$)/);
    expect(DOCS_CSP).toMatch(/frame-ancestors 'none'/);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.text).toContain('<script src="/docs/assets/swagger-ui-bundle.js"></script>');
    expect(res.text).toContain('<script src="/docs/init.js"></script>');
    expect(res.text).not.toMatch(/<script>(?!<)/);
    expect(res.text).not.toMatch(/https?:\/\//);
    const init = await request(app).get('/docs/init.js');
    expect(init.status).toBe(200);
    expect(init.text).toContain("url: '/openapi.json'");
  });

  it('when the page loads the renderer, then its script and style come from the gateway; other files of the package do not', async () => {
    const { app } = testGateway({ issuer });
    const script = await request(app).get('/docs/assets/swagger-ui-bundle.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.text).toContain('SwaggerUIBundle');
    expect((await request(app).get('/docs/assets/swagger-ui.css')).status).toBe(200);
    for (const file of ['index.html', 'swagger-initializer.js', 'package.json', '..%2Fpackage.json']) {
      expect((await request(app).get(`/docs/assets/${file}`)).status).toBe(404);
    }
  });

  it('when an invalid token is sent, then both answer 401 like every other route', async () => {
    const { app } = testGateway({ issuer });
    for (const url of ['/openapi.json', '/docs']) {
      const res = await request(app).get(url).set('Authorization', 'Bearer x.y.z');
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('when a client calls them more than RATE_LIMIT_PER_MINUTE, then 429 RATE_LIMITED with Retry-After', async () => {
    const { app } = testGateway({ issuer, config: perMinute(2) });
    expect((await request(app).get('/openapi.json')).status).toBe(200);
    expect((await request(app).get('/docs')).status).toBe(200);
    const res = await request(app).get('/openapi.json');
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('RATE_LIMITED');
    expect(res.headers['retry-after']).toBeDefined();
  });
});
