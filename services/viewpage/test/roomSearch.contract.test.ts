import { MemoryRoomSearch } from './memoryRoomSearch';
import { MemoryViewStore } from './memoryViewStore';
import { roomSearchContract } from './support/roomSearchContract';

// The contract test/e2e/view-store-contract.test.ts also runs against TypeormRoomSearch on the real database.
let n = 0;
describe('MemoryRoomSearch keeps the RoomSearchStore contract', () => {
  roomSearchContract(
    () => {
      const view = new MemoryViewStore();
      return { view, search: new MemoryRoomSearch(view) };
    },
    (name) => `${name}-${++n}`,
  );
});
