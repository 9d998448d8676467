import { loadBaseConfig } from '@staycar/common';

export function loadConfig() {
  return { ...loadBaseConfig('message', 8085) };
}

export type Config = ReturnType<typeof loadConfig>;
