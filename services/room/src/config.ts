import { loadBaseConfig } from '@staycar/common';

export function loadConfig() {
  return { ...loadBaseConfig('room', 8081) };
}

export type Config = ReturnType<typeof loadConfig>;
