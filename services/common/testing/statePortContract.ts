import { changeState, EtagConflictError, put, type StatePort } from '../src';

/** What the contract needs of an implementation under test. */
export interface StatePortSubject {
  port: StatePort;
  /** The events published so far whose data holds `marker` (for a real store: read from its broker). */
  publishedWith(marker: string): Promise<{ type: string; data: unknown }[]>;
  /** How long a publication may take to show (0 for an in-process fake). */
  publishDelayMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The behaviour every StatePort must have, as Jest cases: run against `MemoryStatePort` (unit) and
 * against a real sidecar (e2e), so the fake that service unit tests rely on is proven to be the real
 * thing's double. `key(name)` must give keys unique to this run.
 */
export function statePortContract(subject: () => StatePortSubject, key: (name: string) => string): void {
  const eventually = async <T>(probe: () => Promise<T | undefined>, ms: number): Promise<T | undefined> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = await probe();
      if (found !== undefined || Date.now() >= deadline) return found;
      await sleep(200);
    }
  };

  describe('reads', () => {
    it('when a key was never written, then getState answers undefined and getStates leaves it out', async () => {
      const { port } = subject();
      const written = key('read-some');
      await port.saveState({ key: written, value: { n: 1 } });
      expect(await port.getState(key('read-none'))).toBeUndefined();
      const found = await port.getStates<{ n: number }>([written, key('read-none-2')]);
      expect([...found.keys()]).toEqual([written]);
      expect(found.get(written)?.value).toEqual({ n: 1 });
    });

    it('when a value is stored, then it reads back equal through JSON (nesting, unicode, null)', async () => {
      const { port } = subject();
      const k = key('roundtrip');
      const value = { text: 'Jeju 제주 ✓', list: [1, { deep: null }], flag: false, n: 1.5 };
      await port.saveState({ key: k, value });
      expect((await port.getState(k))?.value).toEqual(value);
    });

    it('when a value was read by getStates, then its ETag guards a write like one from getState', async () => {
      const { port } = subject();
      const k = key('bulk-etag');
      await port.saveState({ key: k, value: { n: 1 } });
      const { etag } = (await port.getStates([k])).get(k)!;
      await port.saveState({ key: k, value: { n: 2 }, etag });
      await expect(port.saveState({ key: k, value: { n: 3 }, etag })).rejects.toBeInstanceOf(EtagConflictError);
      expect((await port.getState(k))?.value).toEqual({ n: 2 });
    });
  });

  describe('writes are first-write-wins', () => {
    it('when a key is saved without an ETag and it exists, then the save is refused and the value kept', async () => {
      const { port } = subject();
      const k = key('create-only');
      await port.saveState({ key: k, value: { n: 1 } });
      await expect(port.saveState({ key: k, value: { n: 2 } })).rejects.toBeInstanceOf(EtagConflictError);
      expect((await port.getState(k))?.value).toEqual({ n: 1 });
    });

    it('when a key is saved with the ETag just read, then it is written and its ETag changes', async () => {
      const { port } = subject();
      const k = key('guarded');
      await port.saveState({ key: k, value: { n: 1 } });
      const first = (await port.getState(k))!;
      await port.saveState({ key: k, value: { n: 2 }, etag: first.etag });
      const second = (await port.getState(k))!;
      expect(second.value).toEqual({ n: 2 });
      expect(second.etag).not.toBe(first.etag);
    });

    it('when a key is saved with an ETag and the key does not exist, then the save is refused', async () => {
      const { port } = subject();
      const k = key('guarded-missing');
      await port.saveState({ key: k, value: { n: 1 } });
      const { etag } = (await port.getState(k))!;
      await expect(port.saveState({ key: key('guarded-missing-other'), value: { n: 1 }, etag })).rejects.toBeInstanceOf(EtagConflictError);
    });

    it('when four writers save with the same ETag at once, then exactly one wins and the others conflict', async () => {
      const { port } = subject();
      const k = key('race');
      await port.saveState({ key: k, value: { who: 'nobody' } });
      const { etag } = (await port.getState(k))!;
      const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((who) => port.saveState({ key: k, value: { who }, etag })));
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(EtagConflictError);
    });

    it('when a value is saved with a time to live, then it reads back at once', async () => {
      const { port } = subject();
      const k = key('ttl');
      await port.saveState({ key: k, value: { n: 1 }, ttlSeconds: 600 });
      expect((await port.getState(k))?.value).toEqual({ n: 1 });
    });
  });

  describe('several writes in one call (saveStates)', () => {
    it('when two keys are written with the ETags just read (one created), then both are stored', async () => {
      const { port } = subject();
      const [a, b] = [key('many-a'), key('many-b')];
      await port.saveState({ key: a, value: { n: 1 } });
      const etag = (await port.getState(a))!.etag;
      await port.saveStates([
        { key: a, value: { n: 2 }, etag },
        { key: b, value: { n: 1 }, ttlSeconds: 600 },
      ]);
      const found = await port.getStates<{ n: number }>([a, b]);
      expect([found.get(a)?.value, found.get(b)?.value]).toEqual([{ n: 2 }, { n: 1 }]);
    });

    it('when one of the writes has a stale ETag, then the call is a conflict and that key keeps its value (the other may stand: not atomic)', async () => {
      const { port } = subject();
      const [a, b] = [key('many-stale'), key('many-fresh')];
      await port.saveState({ key: a, value: { n: 1 } });
      const stale = (await port.getState(a))!.etag;
      await port.saveState({ key: a, value: { n: 2 }, etag: stale });
      await expect(
        port.saveStates([
          { key: a, value: { n: 3 }, etag: stale },
          { key: b, value: { n: 1 } },
        ]),
      ).rejects.toBeInstanceOf(EtagConflictError);
      expect((await port.getState(a))?.value).toEqual({ n: 2 });
      expect([undefined, { n: 1 }]).toContainEqual((await port.getState(b))?.value);
    });
  });

  describe('deletes', () => {
    it('when a key is deleted with a stale ETag, then the delete is refused and the value kept', async () => {
      const { port } = subject();
      const k = key('delete-stale');
      await port.saveState({ key: k, value: { n: 1 } });
      const stale = (await port.getState(k))!.etag;
      await port.saveState({ key: k, value: { n: 2 }, etag: stale });
      await expect(port.deleteState(k, stale)).rejects.toBeInstanceOf(EtagConflictError);
      expect((await port.getState(k))?.value).toEqual({ n: 2 });
    });

    it('when a key is deleted with its ETag, then it reads as absent and can be created again', async () => {
      const { port } = subject();
      const k = key('delete');
      await port.saveState({ key: k, value: { n: 1 } });
      await port.deleteState(k, (await port.getState(k))!.etag);
      expect(await port.getState(k)).toBeUndefined();
      await port.saveState({ key: k, value: { n: 2 } });
      expect((await port.getState(k))?.value).toEqual({ n: 2 });
    });

    it('when a key that does not exist is deleted without an ETag, then nothing fails', async () => {
      const { port } = subject();
      await expect(port.deleteState(key('delete-missing'))).resolves.toBeUndefined();
    });
  });

  describe('a value and its event commit together (the outbox)', () => {
    it('when a value is saved with its event, then the value is stored and the event published once with its type and data', async () => {
      const s = subject();
      const k = key('outbox');
      await s.port.saveWithEvent({ key: k, value: { stored: k } }, { type: 'ContractChecked', data: { marker: k, version: 1 } });
      expect((await s.port.getState(k))?.value).toEqual({ stored: k });
      const events = await eventually(async () => {
        const found = await s.publishedWith(k);
        return found.length > 0 ? found : undefined;
      }, s.publishDelayMs + 15_000);
      expect(events).toEqual([{ type: 'ContractChecked', data: { marker: k, version: 1 } }]);
    });

    it('when the write with an event loses its ETag race, then neither the value nor the event is committed', async () => {
      const s = subject();
      const k = key('outbox-lost');
      await s.port.saveState({ key: k, value: { n: 1 } });
      const stale = (await s.port.getState(k))!.etag;
      await s.port.saveState({ key: k, value: { n: 2 }, etag: stale });
      await expect(
        s.port.saveWithEvent({ key: k, value: { n: 3 }, etag: stale }, { type: 'ContractChecked', data: { marker: k } }),
      ).rejects.toBeInstanceOf(EtagConflictError);
      expect((await s.port.getState(k))?.value).toEqual({ n: 2 });
      await sleep(s.publishDelayMs);
      expect(await s.publishedWith(k)).toEqual([]);
    });
  });

  describe('changeState over the port', () => {
    it('when ten changes of one key race, then every one lands exactly once', async () => {
      const { port } = subject();
      const k = key('counter');
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          changeState<{ seen: number[] }, void>(port, k, (current) => put({ seen: [...(current?.value.seen ?? []), i] }, undefined), {
            attempts: 40,
          }),
        ),
      );
      expect((await port.getState<{ seen: number[] }>(k))?.value.seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });
  });
}
