import { loadBaseConfig } from '@staycar/common';

export function loadConfig() {
  return { ...loadBaseConfig('reservation', 8083) };
}

export type Config = ReturnType<typeof loadConfig>;
