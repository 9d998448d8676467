import request from 'supertest';
import { privateJwk, setup } from './support/setup';

describe('GET /auth/jwks.json', () => {
  it('when served, then it lists every key, signer first, with kid, alg ES256 and use sig', async () => {
    const keys = [privateJwk('key-new'), privateJwk('key-old')];
    const { app } = setup({ keys });
    const res = await request(app).get('/auth/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    expect(res.body).toEqual({
      keys: keys.map((k) => ({ kty: 'EC', crv: 'P-256', x: k.x, y: k.y, kid: k.kid, alg: 'ES256', use: 'sig' })),
    });
  });

  it('when served, then no private member is published (no d, nor anything else than the public fields)', async () => {
    const keys = [{ ...privateJwk('key-1'), key_ops: ['sign'], ext: true }];
    const { app } = setup({ keys });
    const res = await request(app).get('/auth/jwks.json');
    for (const key of res.body.keys) {
      expect(key).not.toHaveProperty('d');
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    }
    expect(JSON.stringify(res.body)).not.toContain(keys[0].d);
  });
});
