import { loadBaseConfig } from '@staycar/common';

export function loadConfig() {
  return { ...loadBaseConfig('rentcar', 8082) };
}

export type Config = ReturnType<typeof loadConfig>;
