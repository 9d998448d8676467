import pino from 'pino';
import { projectEvent } from '../src/app/project';
import { rebuildView } from '../src/app/rebuild';
import { isViewEventType, toViewEvent } from '../src/http/events';
import type { EventHistory, RecordedEvent } from '../src/ports';
import { MemoryViewStore } from './memoryViewStore';

const history = (entries: RecordedEvent[]): EventHistory => ({
  async *entries() {
    yield* entries;
  },
});

const room = { roomId: 'room-1', hostId: 'host-1', name: 'Room', city: 'Seoul', pricePerNight: 1000, version: 1 };

describe('rebuilding the view from the event history', () => {
  it('when the history holds events, junk and foreign types, then the events are applied once, junk and unusable data skipped, foreign types passed over', async () => {
    const store = new MemoryViewStore();
    const count = await rebuildView({
      history: history([
        { id: '1-0', type: 'RoomRegistered', data: room },
        { id: '2-0', type: 'RoomRegistered', data: room }, // a duplicate changes nothing
        { id: '3-0' }, // not an event at all
        { id: '4-0', type: 'RoomDeleted', data: {} }, // unusable data
        { id: '5-0', type: 'SomethingElse', data: {} },
        { id: '6-0', type: 'ReviewCreated', data: { roomId: 'room-1', reviewCount: 1, averageRating: 4 } },
      ]),
      consumes: isViewEventType,
      read: toViewEvent,
      project: (event) => projectEvent(store, event),
      logger: pino({ level: 'silent' }),
    });
    expect(count).toEqual({ read: 6, applied: 2, skipped: 2 });
    expect(store.rooms.get('room-1')).toMatchObject({ reviewCount: 1, deleted: false, room: { name: 'Room' } });
  });

  it('when the store fails, then the rebuild stops with that error (nothing is skipped silently)', async () => {
    const failing = Object.assign(new MemoryViewStore(), {
      updateRoom: () => Promise.reject(new Error('database gone')),
    });
    await expect(
      rebuildView({
        history: history([{ id: '1-0', type: 'RoomRegistered', data: room }]),
        consumes: isViewEventType,
        read: toViewEvent,
        project: (event) => projectEvent(failing, event),
        logger: pino({ level: 'silent' }),
      }),
    ).rejects.toThrow('database gone');
  });
});
