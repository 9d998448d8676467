import request from 'supertest';
import pino from 'pino';
import { createHttpApp, isClientId, MultilineText, NonBlankText, parseBody, SingleLineText, Strict, DomainError } from '../src';

const Body = Strict({ name: NonBlankText(200), displayName: SingleLineText(100), comment: MultilineText(2000) });
const valid = { name: 'Sea view', displayName: '', comment: '' };

/** The details of a refused body, or [] when it is accepted. */
function problems(body: object): { field: string; reason: string }[] {
  try {
    parseBody(Body, body);
    return [];
  } catch (error) {
    if (error instanceof DomainError) return error.details;
    throw error;
  }
}

describe('text fields (API.md, Conventions)', () => {
  it.each([
    ['NUL', '\u0000'],
    ['a bell', '\u0007'],
    ['a line break', '\n'],
    ['a carriage return', '\r'],
    ['a tab', '\t'],
    ['an escape', '\u001b'],
    ['DEL', '\u007f'],
  ])('when a one-line text holds %s, then 400 naming the field', (_what, char) => {
    expect(problems({ ...valid, name: `Sea${char}view` })).toEqual([{ field: 'name', reason: 'holds a control character' }]);
    expect(problems({ ...valid, displayName: `A${char}` })).toEqual([{ field: 'displayName', reason: 'holds a control character' }]);
  });

  it('when a multi-line text holds tabs and line breaks, then it is accepted; other control characters are 400', () => {
    expect(problems({ ...valid, comment: 'Line one\r\nline two\n\tindented' })).toEqual([]);
    for (const char of ['\u0000', '\u0008', '\u000b', '\u000c', '\u001f', '\u007f']) {
      expect(problems({ ...valid, comment: `a${char}b` }).map((p) => p.field)).toEqual(['comment']);
    }
  });

  it('when text is blank, then a non-blank field refuses it; non-ASCII letters and spaces inside are fine', () => {
    expect(problems({ ...valid, name: '   ' }).map((p) => p.field)).toEqual(['name']);
    expect(problems({ ...valid, name: '서울 한옥 — 바다 전망', displayName: 'Kim Min-jun', comment: 'Très bien 👍' })).toEqual([]);
  });

  it('when a long text without control characters comes, then the check is quick (linear patterns)', () => {
    const started = Date.now();
    const Long = Strict({ comment: MultilineText(100_000) });
    expect(() => parseBody(Long, { comment: `${' \n'.repeat(30_000)}\u0000` })).toThrow(DomainError);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('path ids', () => {
  it('when an id is not 1..100 of letters, digits and -_.:@, then it cannot be one', () => {
    expect(['room_1', 'a-Z_0.9:x@y', 'x'.repeat(100)].every(isClientId)).toBe(true);
    expect(['', 'a/b', 'a\u0000', 'a b', 'x'.repeat(101), '%2F'].some(isClientId)).toBe(false);
  });

  it('when a path segment is not valid percent-encoding, then 404 NOT_FOUND (not a 500)', async () => {
    const app = createHttpApp({
      logger: pino({ level: 'silent' }),
      routes: (a) => a.get('/rooms/:id', (req, res) => void res.json({ id: req.params.id })),
    });
    const res = await request(app).get('/rooms/%E0%A4%A');
    expect([res.status, res.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });
});
