import { Type } from '@sinclair/typebox';
import { cursorCodec } from '@staycar/common';
import type { UpdatedAfter } from '../ports';

const Id = Type.String({ minLength: 1, maxLength: 200 });

/** /roomviews: most recently updated first; the position is the last item's `updatedAt` (`u`) and id. */
const updatedCodec = cursorCodec(Type.Object({ u: Type.String({ minLength: 1, maxLength: 40 }), id: Id }, { additionalProperties: false }));

export const updatedCursor = {
  encode: (position: UpdatedAfter): string => updatedCodec.encode({ u: position.updatedAt, id: position.id }),
  decode: (cursor: string): UpdatedAfter => {
    const { u, id } = updatedCodec.decode(cursor);
    return { updatedAt: u, id };
  },
};

/** /rooms and /rentcars: by id ascending; the position is the last item's id. */
const idCodec = cursorCodec(Type.Object({ id: Id }, { additionalProperties: false }));

export const idCursor = {
  encode: (id: string): string => idCodec.encode({ id }),
  decode: (cursor: string): string => idCodec.decode(cursor).id,
};
