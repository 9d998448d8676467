import { loadBaseConfig } from '@staycar/common';

export function loadConfig() {
  return { ...loadBaseConfig('payment', 8084) };
}

export type Config = ReturnType<typeof loadConfig>;
