import { changeState, keep, put } from '@staycar/common';
import { withKey, withoutKey, type KeyIndex } from '../domain/messages';
import type { StatePort } from '../ports';

/** Idempotent ETag-guarded change of a key index (create-only when it does not exist yet). */
function changeIndex(state: StatePort, indexKey: string, change: (index: KeyIndex | undefined) => KeyIndex | undefined): Promise<void> {
  return changeState<KeyIndex, void>(state, indexKey, (current) => {
    const next = change(current?.value);
    return next ? put(next, undefined) : keep(undefined);
  });
}

export const addToIndex = (state: StatePort, indexKey: string, key: string): Promise<void> =>
  changeIndex(state, indexKey, (index) => withKey(index, key));

export const removeFromIndex = (state: StatePort, indexKey: string, key: string): Promise<void> =>
  changeIndex(state, indexKey, (index) => withoutKey(index, key));

/** The keys an index holds, in order (none when it does not exist). */
export const indexKeys = async (state: StatePort, indexKey: string): Promise<string[]> =>
  (await state.getState<KeyIndex>(indexKey))?.value.keys ?? [];
