import { randomBytes } from 'node:crypto';

/** A new opaque id: `<prefix>_` and 20 random hex digits (`room_…`, `car_…`, `rev_…`). */
export const randomId = (prefix: string): string => `${prefix}_${randomBytes(10).toString('hex')}`;
