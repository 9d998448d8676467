import { MemoryViewStore } from './memoryViewStore';
import { viewStoreContract } from './support/viewStoreContract';

// The contract of test/e2e/view-store-contract.test.ts, against the in-process fake that viewpage's unit tests use.
let store: MemoryViewStore;
let n = 0;
beforeEach(() => {
  store = new MemoryViewStore();
});

describe('MemoryViewStore keeps the ViewStore contract', () => {
  viewStoreContract(
    () => store,
    (name) => `${name}-${++n}`,
  );
});
