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

/** Dapr bulk subscribe: how many events one delivery may carry, and how long a partial batch waits. */
export interface BulkSubscribeConfig {
  maxMessagesCount: number;
  maxAwaitDurationMs: number;
}

/** What every service reads: where it listens and which Dapr names it uses (names live in YAML, not code). */
export interface BaseConfig {
  appId: string;
  port: number;
  daprHost: string;
  daprHttpPort: number;
  /** This service's own state store component (its outbox publishes to its family's topic). */
  stateStore: string;
  pubsub: string;
  /** The topics this service subscribes to: one per producing family whose events it consumes (none: it consumes nothing). */
  eventsTopics: string[];
  deadLetterTopic: string;
  /** Set when the service takes its events in batches (BULK_MAX_MESSAGES > 0). */
  bulk?: BulkSubscribeConfig;
  logLevel: string;
}

/** A comma list (blanks and empty items dropped). */
export function envList(name: string, fallback: string[] = []): string[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function loadBaseConfig(appId: string, defaultPort: number): BaseConfig {
  const appIdValue = envString('APP_ID', appId);
  const bulkMax = envInt('BULK_MAX_MESSAGES', 0, { max: 1000 });
  return {
    appId: appIdValue,
    port: envInt('APP_PORT', defaultPort, { min: 1, max: 65535 }),
    daprHost: envString('DAPR_HOST', '127.0.0.1'),
    daprHttpPort: envInt('DAPR_HTTP_PORT', 3500, { min: 1, max: 65535 }),
    stateStore: envString('STATE_STORE', `${appIdValue}-store`),
    pubsub: envString('PUBSUB', 'pubsub'),
    eventsTopics: envList('EVENTS_TOPICS'),
    deadLetterTopic: envString('DEAD_LETTER_TOPIC', `deadletter-${appIdValue}`),
    bulk:
      bulkMax > 0
        ? { maxMessagesCount: bulkMax, maxAwaitDurationMs: envInt('BULK_MAX_AWAIT_MS', 100, { min: 1, max: 60_000 }) }
        : undefined,
    logLevel: envString('LOG_LEVEL', 'info'),
  };
}
