import { DomainError } from '@staycar/common';
import { idCursor, updatedCursor } from '../src/http/cursors';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('list cursors (cursorCodec)', () => {
  it('when a position is encoded, then it decodes to itself, in the format cursors already given out have ({u, id} and {id})', () => {
    const position = { updatedAt: '2030-01-01T00:00:00.000Z', id: 'room-1' };
    expect(updatedCursor.encode(position)).toBe(b64({ u: position.updatedAt, id: 'room-1' }));
    expect(updatedCursor.decode(updatedCursor.encode(position))).toEqual(position);
    expect(idCursor.encode('car-9')).toBe(b64({ id: 'car-9' }));
    expect(idCursor.decode(b64({ id: 'car-9' }))).toBe('car-9');
  });

  it('when a cursor is foreign, of the other list, or not base64 JSON, then it is VALIDATION_FAILED on cursor', () => {
    for (const [codec, cursor] of [
      [updatedCursor, b64({ id: 'room-1' })],
      [idCursor, b64({ u: '2030-01-01', id: 'room-1' })],
      [idCursor, 'zzz'],
      [updatedCursor, b64(['x'])],
      [idCursor, b64({ id: 7 })],
    ] as const) {
      let thrown: unknown;
      try {
        codec.decode(cursor);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DomainError);
      expect(thrown).toMatchObject({ kind: 'invalid', details: [{ field: 'cursor' }] });
    }
  });
});
