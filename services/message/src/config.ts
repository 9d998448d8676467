import { envInt, envString, loadBaseConfig } from '@staycar/common';

export function loadConfig() {
  return {
    ...loadBaseConfig('message', 8085),
    /** The city every message names (a ConfigMap in Kubernetes, dapr.yaml locally). */
    cityName: envString('CITYNAME', 'Seoul'),
    /** Where messages are kept: mysql:// or postgres:// (the profile's view database server; a Secret in Kubernetes). */
    messageDbUrl: envString('MESSAGE_DB_URL', 'mysql://staycar:staycar@127.0.0.1:3306/staycar'),
    /** Dapr output binding each new message is handed to (components/default/message-binding.yaml). */
    messageBinding: envString('MESSAGE_BINDING', 'message-outbox'),
    /** How often messages whose binding call failed are tried again. */
    retryIntervalMs: envInt('MESSAGE_RETRY_INTERVAL_MS', 5000, { min: 100 }),
  };
}

export type Config = ReturnType<typeof loadConfig>;
