// The stores a profile can need (components/<profile>.profile.json "stores"), each with the same
// four verbs: `ensure` (the set-up: start if needed, provision, prove), `stop` and `start` (drills:
// `npm run svc:stop|start -- <name>`), `check` (the doctor: `{ ok, detail }`). Debian packages a
// store needs are installed by the set-up's package step before any store starts.
import { infra } from './infra.mjs';
import { defaultMariadb, ensureMariadb, serviceUserWorks as mariadbUserWorks, stopServer as stopMariadb } from './mariadb.mjs';
import { defaultRedis, pingWorks, startRedis, stopRedis } from './redis.mjs';

/** Lazily imported, so a profile that does not use a store never loads its module. */
const postgres = () => import('./postgres.mjs');
const rabbitmq = () => import('./rabbitmq.mjs');
const kafka = () => import('./kafka.mjs');

export const STORES = {
  redis: {
    label: 'Redis',
    apt: ['redis-server'],
    ensure: () => startRedis(),
    start: () => startRedis(),
    stop: () => stopRedis(),
    check: () => {
      const r = pingWorks(defaultRedis());
      return { ok: r.ok, detail: r.ok ? `:${infra.redis.port} answers PING (with the configured password)` : `:${infra.redis.port} no: ${r.error}` };
    },
  },
  mariadb: {
    label: 'MariaDB',
    apt: ['mariadb-server', 'mariadb-client'],
    ensure: () => ensureMariadb(),
    start: () => ensureMariadb(),
    stop: async () => ((await stopMariadb()) ? 'MariaDB stopped' : 'MariaDB was not running'),
    check: () => {
      const r = mariadbUserWorks(defaultMariadb());
      return { ok: r.ok, detail: r.ok ? `:${infra.mysql.port} user ${infra.mysql.user} logs in and uses ${infra.mysql.database}` : `:${infra.mysql.port} no: ${r.error}` };
    },
  },
  postgres: {
    label: 'PostgreSQL',
    apt: ['postgresql'],
    ensure: async () => (await postgres()).ensurePostgres(),
    start: async () => (await postgres()).ensurePostgres(),
    stop: async () => (await postgres()).stopPostgres(),
    check: async () => {
      const m = await postgres();
      const instance = m.defaultPostgres();
      const r = m.serviceUserWorks(instance);
      if (!r.ok) return { ok: false, detail: `:${instance.port} no: ${r.error}` };
      // The view's user too (its database is viewpage's on a profile with "viewDb": "postgres").
      const v = m.serviceUserWorks(instance, instance.view);
      if (!v.ok) return { ok: false, detail: `:${instance.port} view user ${instance.view.user}: no: ${v.error}` };
      return { ok: true, detail: `:${instance.port} user ${instance.user} logs in and uses ${instance.database}; view user ${instance.view.user} uses ${instance.view.database}` };
    },
  },
  rabbitmq: {
    label: 'RabbitMQ',
    apt: ['rabbitmq-server'],
    ensure: async () => (await rabbitmq()).ensureRabbitmq(),
    start: async () => (await rabbitmq()).ensureRabbitmq(),
    stop: async () => (await rabbitmq()).stopRabbitmq(),
    check: async () => (await rabbitmq()).checkRabbitmq(),
  },
  kafka: {
    label: 'Kafka',
    // Java runs the broker, Maven fetches its jars from Maven Central (scripts/lib/kafka.mjs).
    apt: ['openjdk-17-jre-headless', 'maven'],
    ensure: async () => (await kafka()).ensureKafka(),
    start: async () => (await kafka()).ensureKafka(),
    stop: async () => (await kafka()).stopKafka(),
    check: async () => (await kafka()).checkKafka(),
  },
};

export function storeOf(name) {
  const store = STORES[name];
  if (!store) throw new Error(`unknown store "${name}" (known: ${Object.keys(STORES).join(', ')})`);
  return store;
}
