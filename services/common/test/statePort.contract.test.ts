import { MemoryStatePort, statePortContract } from '@staycar/common/testing';

// The contract of test/e2e/state-contract.test.ts, against the in-process fake that unit tests use.
let port: MemoryStatePort;
let n = 0;
beforeEach(() => {
  port = new MemoryStatePort();
});

describe('MemoryStatePort keeps the StatePort contract', () => {
  statePortContract(
    () => ({
      port,
      publishedWith: async (marker) => port.published.filter((e) => JSON.stringify(e.data).includes(marker)),
      publishDelayMs: 0,
    }),
    (name) => `${name}-${++n}`,
  );
});
