import { loadBaseConfig } from '@staycar/common';

export function loadConfig() {
  return { ...loadBaseConfig('viewpage', 8086) };
}

export type Config = ReturnType<typeof loadConfig>;
