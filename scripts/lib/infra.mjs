// Where Redis and MariaDB listen (env overrides; these defaults match components/default/).
const int = (name, fallback) => Number(process.env[name] ?? fallback);

export const infra = {
  redis: { port: int('REDIS_PORT', 6379) },
  mysql: {
    port: int('MYSQL_PORT', 3306),
    database: process.env.MYSQL_DATABASE ?? 'staycar',
    user: process.env.MYSQL_USER ?? 'staycar',
    password: process.env.MYSQL_PASSWORD ?? 'staycar',
  },
};
