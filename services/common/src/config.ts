/** Environment configuration with defaults; a bad value stops start-up with a message that says which. */
export class ConfigError extends Error {}

export function envString(name: string, fallback?: string): string {
  const value = process.env[name];
  if (value !== undefined && value !== '') return value;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(`Environment variable ${name} is required.`);
}

export function envInt(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`Environment variable ${name} must be an integer in ${min}..${max}, got "${raw}".`);
  }
  return value;
}

/** What every service reads: where it listens and which Dapr names it uses (names live in YAML, not code). */
export interface BaseConfig {
  appId: string;
  port: number;
  daprHost: string;
  daprHttpPort: number;
  stateStore: string;
  pubsub: string;
  eventsTopic: string;
  deadLetterTopic: string;
  logLevel: string;
}

export function loadBaseConfig(appId: string, defaultPort: number): BaseConfig {
  const eventsTopic = envString('EVENTS_TOPIC', 'staycar-events');
  const appIdValue = envString('APP_ID', appId);
  return {
    appId: appIdValue,
    port: envInt('APP_PORT', defaultPort, { min: 1, max: 65535 }),
    daprHost: envString('DAPR_HOST', '127.0.0.1'),
    daprHttpPort: envInt('DAPR_HTTP_PORT', 3500, { min: 1, max: 65535 }),
    stateStore: envString('STATE_STORE', 'statestore'),
    pubsub: envString('PUBSUB', 'pubsub'),
    eventsTopic,
    deadLetterTopic: envString('DEAD_LETTER_TOPIC', `${eventsTopic}-deadletter-${appIdValue}`),
    logLevel: envString('LOG_LEVEL', 'info'),
  };
}
