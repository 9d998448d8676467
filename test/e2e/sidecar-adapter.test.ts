import { EtagConflictError, writeWithEvent } from '@staycar/common';
import { eventually, unique } from '../support/api';
import { FAMILY_TOPICS } from '../support/events';
import { roomSidecarWithStream } from '../support/roomSidecar';

// The Dapr adapter against a real daprd (room's sidecar), real MariaDB state and Redis Streams.
const { sidecar, stream, redis } = roomSidecarWithStream();

describe('state through the sidecar is first-write-wins', () => {
  it('when a key is saved without an ETag and it already exists, then the save is refused', async () => {
    const key = unique('adapter-create');
    await sidecar.saveState({ key, value: { n: 1 } });
    await expect(sidecar.saveState({ key, value: { n: 2 } })).rejects.toBeInstanceOf(EtagConflictError);
    expect((await sidecar.getState<{ n: number }>(key))?.value).toEqual({ n: 1 });
  });

  it('when two writers save with the same ETag, then exactly one wins', async () => {
    const key = unique('adapter-race');
    await sidecar.saveState({ key, value: { who: 'nobody' } });
    const { etag } = (await sidecar.getState(key))!;
    const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((who) => sidecar.saveState({ key, value: { who }, etag })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof EtagConflictError)).toBe(true);
  });

  it('when a key does not exist, then getState answers undefined', async () => {
    expect(await sidecar.getState(unique('adapter-missing'))).toBeUndefined();
  });
});

describe('the transactional outbox', () => {
  const findEvent = async (marker: string) => {
    const [event] = await stream.matching(marker);
    if (!event) throw new Error(`no event with ${marker} on the stream yet`);
    return event;
  };

  it('when state and event are written together, then the event lands on the topic with its type and JSON data', async () => {
    const key = unique('adapter-outbox');
    await sidecar.transact(writeWithEvent({ key, value: { stored: true } }, { type: 'AdapterChecked', data: { id: key, version: 1 } }));
    const event = await eventually(() => findEvent(key), 15_000, 300);
    expect(event.type).toBe('AdapterChecked');
    expect(event.data).toEqual({ id: key, version: 1 });
  });

  it('when the ETag is stale, then neither the state nor the event is committed', async () => {
    const key = unique('adapter-outbox-stale');
    await sidecar.saveState({ key, value: { v: 1 } });
    await expect(
      sidecar.transact(writeWithEvent({ key, value: { v: 2 }, etag: 'stale' }, { type: 'AdapterChecked', data: { id: key, version: 2 } })),
    ).rejects.toBeInstanceOf(EtagConflictError);
    expect((await sidecar.getState(key))?.value).toEqual({ v: 1 });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await expect(findEvent(key)).rejects.toThrow('no event');
  });

  it('when the outbox holds a message whose state never committed, then the sidecar discards it after its 10 s wait (daprd patched: it used to spin on it forever)', async () => {
    // Dapr's internal outbox topic of room's sidecar: <namespace><app-id><topic>outbox (pkg/runtime/pubsub/outbox.go).
    // A failed transaction leaves exactly such a message. Unpatched 1.18.2 retried the state lookup in a
    // tight loop after its 10 s back-off (ExponentialBackOff without Stop), never acknowledging the message
    // and burning a core (tools/daprd/patches/README.md). Patched, outboxDiscardWhenMissingState applies.
    const internalTopic = `defaultroom${FAMILY_TOPICS.room}outbox`;
    const probeId = unique('outbox-missing-state');
    const entryId = (await redis.xadd(
      internalTopic,
      '*',
      'data',
      JSON.stringify({
        id: probeId,
        specversion: '1.0',
        source: 'room',
        type: 'OutboxProbe',
        datacontenttype: 'application/json',
        data: {},
      }),
    )) as string;
    const pendingIds = async () =>
      ((await redis.xpending(internalTopic, 'room', '-', '+', 1000)) as Array<[string, ...unknown[]]>).map(([id]) => id);
    // Delivered to room's sidecar (pending), then acknowledged once discarded.
    await eventually(async () => expect(await pendingIds()).toContain(entryId), 15_000, 200);
    await eventually(async () => expect(await pendingIds()).not.toContain(entryId), 40_000, 500);
  });
});
