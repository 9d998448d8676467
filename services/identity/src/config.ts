import { envInt, envString, loadBaseConfig } from '@staycar/common';

export function loadConfig() {
  return {
    ...loadBaseConfig('identity', 8087),
    /** The Dapr secret store that holds the token signing keys. */
    secretStore: envString('SECRET_STORE', 'secretstore'),
    /** The secret in it: a JSON array of private EC P-256 JWKs, newest (the signer) first. */
    signingKeysSecret: envString('SIGNING_KEYS_SECRET', 'jwt-signing-keys'),
    /** `iss` of every token; the gateway verifies it. */
    issuer: envString('AUTH_ISSUER', 'staycar-identity'),
    /** `aud` of every token; the gateway verifies it. */
    audience: envString('AUTH_AUDIENCE', 'staycar'),
    tokenTtlSeconds: envInt('TOKEN_TTL_SECONDS', 3600, { min: 60, max: 86_400 }),
  };
}

export type Config = ReturnType<typeof loadConfig>;
