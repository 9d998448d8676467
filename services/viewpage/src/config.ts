import { envInt, envString, loadBaseConfig } from '@staycar/common';

export function loadConfig() {
  return {
    ...loadBaseConfig('viewpage', 8086),
    /** The read model's database (MariaDB/MySQL); dapr.yaml and the ConfigMap set it. */
    viewDbUrl: envString('VIEW_DB_URL', 'mysql://staycar:staycar@127.0.0.1:3306/staycar'),
    /** Identical list queries within this many ms share one database read (0 turns it off). */
    listCacheMs: envInt('VIEW_LIST_CACHE_MS', 200, { max: 5000 }),
  };
}

export type Config = ReturnType<typeof loadConfig>;
