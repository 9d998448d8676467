import { ConfigError } from '@staycar/common';
import { loadConfig } from '../src/config';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('gateway configuration', () => {
  it('by default: staycar identity through our own sidecar, asymmetric algorithms, no operators, generous limits', () => {
    delete process.env.AUTH_JWKS_URL;
    process.env.DAPR_HTTP_PORT = '3577';
    const config = loadConfig();
    expect(config.appIds.identity).toBe('identity');
    expect(config.auth).toMatchObject({
      issuer: 'staycar-identity',
      audience: 'staycar',
      jwksUrl: 'http://127.0.0.1:3577/v1.0/invoke/identity/method/auth/jwks.json',
      algorithms: ['ES256', 'EdDSA', 'RS256'],
    });
    expect([...config.auth.adminUsernames]).toEqual([]);
    expect(config.rateLimit).toMatchObject({ perMinute: 6000, authTokenPerMinute: 10, authSignupPerMinute: 600, redisTimeoutMs: 200 });
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', password: undefined });
    expect(config.trustProxy).toBe(false);
  });

  it('another OpenID Connect provider is configuration only', () => {
    process.env.AUTH_ISSUER = 'https://login.example.com/realms/staycar';
    process.env.AUTH_JWKS_URL = 'https://login.example.com/realms/staycar/protocol/openid-connect/certs';
    process.env.AUTH_AUDIENCE = 'staycar-api';
    process.env.AUTH_ALGORITHMS = 'RS256, PS256';
    expect(loadConfig().auth).toMatchObject({
      issuer: 'https://login.example.com/realms/staycar',
      jwksUrl: 'https://login.example.com/realms/staycar/protocol/openid-connect/certs',
      audience: 'staycar-api',
      algorithms: ['RS256', 'PS256'],
    });
  });

  it.each(['HS256', 'none', 'ES256,HS512', ','])('refuses AUTH_ALGORITHMS=%j (symmetric or no algorithm)', (value) => {
    process.env.AUTH_ALGORITHMS = value;
    expect(() => loadConfig()).toThrow(ConfigError);
  });

  it('reads ADMIN_USERNAMES as a comma-separated list', () => {
    process.env.ADMIN_USERNAMES = ' ops, root ,,';
    expect([...loadConfig().auth.adminUsernames].sort()).toEqual(['ops', 'root']);
  });

  it('refuses TRUST_PROXY=true (any client could choose its address), takes a hop count or addresses', () => {
    process.env.TRUST_PROXY = 'true';
    expect(() => loadConfig()).toThrow(ConfigError);
    process.env.TRUST_PROXY = '1';
    expect(loadConfig().trustProxy).toBe(1);
    process.env.TRUST_PROXY = '10.0.0.0/8, loopback';
    expect(loadConfig().trustProxy).toEqual(['10.0.0.0/8', 'loopback']);
  });

  it('takes DAPR_API_TOKEN and REDIS_PASSWORD when set', () => {
    process.env.DAPR_API_TOKEN = 't';
    process.env.REDIS_PASSWORD = 'p';
    const config = loadConfig();
    expect(config.daprApiToken).toBe('t');
    expect(config.redis.password).toBe('p');
  });
});
