// Where Redis and MariaDB listen and how the services log in (env overrides; these defaults match
// components/default/). REDIS_PASSWORD is optional: when set, the set-up starts Redis with it and
// checks every PING with it.
const int = (name, fallback) => Number(process.env[name] ?? fallback);

export const infra = {
  redis: { port: int('REDIS_PORT', 6379), password: process.env.REDIS_PASSWORD ?? '' },
  mysql: {
    port: int('MYSQL_PORT', 3306),
    database: process.env.MYSQL_DATABASE ?? 'staycar',
    user: process.env.MYSQL_USER ?? 'staycar',
    password: process.env.MYSQL_PASSWORD ?? 'staycar',
  },
};
