import request from 'supertest';
import pino from 'pino';
import {
  ApiError,
  DomainError,
  assertOwner,
  assertOwnerActs,
  assertOwnerOrHidden,
  createHttpApp,
  mayRead,
  readSubjectOf,
  requireCaller,
  subjectOf,
  unauthenticated,
  type Caller,
} from '../src';
import { as, asOperator } from './support/identity';

const alice: Caller = { userId: 'alice', operator: false };
const operator: Caller = { userId: 'op', operator: true };

/** The status and code an ownership check throws, or 'ok'. */
function outcomeOf(check: () => unknown): unknown {
  try {
    const result = check();
    return result === undefined ? 'ok' : result;
  } catch (error) {
    if (error instanceof DomainError) return `${ApiError.of(error).status} ${error.code}`;
    throw error;
  }
}

describe('the caller of a request', () => {
  const app = createHttpApp({
    logger: pino({ level: 'silent' }),
    routes: (a) => a.get('/me', (req, res) => void res.json(requireCaller(req))),
  });

  it('when no identity header came, then 401 UNAUTHENTICATED with WWW-Authenticate: Bearer', async () => {
    const res = await request(app).get('/me');
    expect([res.status, res.body.error.code, res.headers['www-authenticate']]).toEqual([401, 'UNAUTHENTICATED', 'Bearer']);
  });

  it('when a 401 already carries a challenge, then the error handler keeps it', async () => {
    const precise = createHttpApp({
      logger: pino({ level: 'silent' }),
      routes: (a) =>
        a.get('/me', (_req, res) => {
          res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
          throw unauthenticated();
        }),
    });
    expect((await request(precise).get('/me')).headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('when a user id that cannot be one came, then it counts as none (401)', async () => {
    expect((await request(app).get('/me').set('x-staycar-user-id', 'a b')).status).toBe(401);
    expect(
      (
        await request(app)
          .get('/me')
          .set(as('x'.repeat(101)))
      ).status,
    ).toBe(401);
  });

  it('when the headers name a user (and an operator), then that is the caller', async () => {
    expect((await request(app).get('/me').set(as('alice'))).body).toEqual({ userId: 'alice', operator: false });
    expect((await request(app).get('/me').set(asOperator('op'))).body).toEqual({ userId: 'op', operator: true });
    expect(
      (
        await request(app)
          .get('/me')
          .set({ ...as('alice'), 'x-staycar-operator': 'yes' })
      ).body.operator,
    ).toBe(false);
  });
});

describe('ownership rules (API.md, Identity and ownership)', () => {
  it('when a body names the subject, then left out or the caller is the caller; anyone else 403, operators too', () => {
    expect(subjectOf(alice, undefined, 'hostId')).toBe('alice');
    expect(subjectOf(alice, 'alice', 'hostId')).toBe('alice');
    expect(outcomeOf(() => subjectOf(alice, 'bob', 'hostId'))).toBe('403 FORBIDDEN');
    expect(outcomeOf(() => subjectOf(operator, 'bob', 'guestId'))).toBe('403 FORBIDDEN');
  });

  it("when a read names the subject, then another user's is 403 except for an operator", () => {
    expect(readSubjectOf(alice, undefined, 'guestId')).toBe('alice');
    expect(outcomeOf(() => readSubjectOf(alice, 'bob', 'guestId'))).toBe('403 FORBIDDEN');
    expect(readSubjectOf(operator, 'bob', 'guestId')).toBe('bob');
    expect(readSubjectOf(operator, undefined, 'guestId')).toBe('op');
  });

  it('when something public is changed, then only its owner may (operators act as nobody else)', () => {
    expect(outcomeOf(() => assertOwner(alice, 'alice'))).toBe('ok');
    expect(outcomeOf(() => assertOwner(alice, 'bob'))).toBe('403 FORBIDDEN');
    expect(outcomeOf(() => assertOwner(operator, 'bob'))).toBe('403 FORBIDDEN');
  });

  it('when something private is read, then its owner and operators see it; to anyone else it does not exist', () => {
    expect([mayRead(alice, 'alice'), mayRead(alice, 'bob'), mayRead(operator, 'bob')]).toEqual([true, false, true]);
    expect(outcomeOf(() => assertOwnerOrHidden(alice, 'alice'))).toBe('ok');
    expect(outcomeOf(() => assertOwnerOrHidden(alice, 'bob'))).toBe('404 NOT_FOUND');
    expect(outcomeOf(() => assertOwnerOrHidden(operator, 'bob'))).toBe('ok');
    expect(outcomeOf(() => assertOwnerOrHidden(operator, 'bob', { operatorMaySee: false }))).toBe('404 NOT_FOUND');
  });

  it('when something private is acted on, then its owner acts, an operator (who sees it) gets 403, anyone else 404', () => {
    expect(outcomeOf(() => assertOwnerActs(alice, 'alice'))).toBe('ok');
    expect(outcomeOf(() => assertOwnerActs(operator, 'alice'))).toBe('403 FORBIDDEN');
    expect(outcomeOf(() => assertOwnerActs(alice, 'bob'))).toBe('404 NOT_FOUND');
  });
});
