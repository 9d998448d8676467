import request from 'supertest';
import { keys } from '../src/adapters/userStore';
import type { UserRecord } from '../src/domain/user';
import { setup } from './support/setup';

const alice = { username: 'alice', password: 'correct horse battery', displayName: 'Alice Kim' };

describe('POST /auth/signup', () => {
  it('when a new username signs up, then 201 answers the user with a usr_ id and only the public fields', async () => {
    const { app } = setup();
    const res = await request(app).post('/auth/signup').send(alice);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ userId: expect.stringMatching(/^usr_[0-9a-f]{20}$/), username: 'alice', displayName: 'Alice Kim' });
  });

  it('when no displayName is given, then it is the username', async () => {
    const { app } = setup();
    const res = await request(app).post('/auth/signup').send({ username: 'bob.lee_2-x', password: 'long enough password' });
    expect(res.status).toBe(201);
    expect(res.body.displayName).toBe('bob.lee_2-x');
  });

  it('when a user signs up, then user:<username> holds the record with a salted scrypt hash, never the password', async () => {
    const { app, state } = setup();
    const res = await request(app).post('/auth/signup').send(alice);
    const stored = await state.getState<UserRecord>(keys.user('alice'));
    expect(stored?.value).toEqual({
      userId: res.body.userId,
      username: 'alice',
      displayName: 'Alice Kim',
      passwordHash: expect.stringMatching(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/),
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    expect(JSON.stringify(stored?.value)).not.toContain(alice.password);
  });

  it('when two users choose the same password, then their stored hashes differ (random salt)', async () => {
    const { app, state } = setup();
    await request(app).post('/auth/signup').send({ username: 'twin-1', password: alice.password }).expect(201);
    await request(app).post('/auth/signup').send({ username: 'twin-2', password: alice.password }).expect(201);
    const one = (await state.getState<UserRecord>(keys.user('twin-1')))?.value.passwordHash;
    const two = (await state.getState<UserRecord>(keys.user('twin-2')))?.value.passwordHash;
    expect(one).toBeDefined();
    expect(one).not.toBe(two);
  });

  it('when the username is taken, then 409 USERNAME_TAKEN and the first user stays as it was', async () => {
    const { app, state } = setup();
    const first = await request(app).post('/auth/signup').send(alice).expect(201);
    const second = await request(app)
      .post('/auth/signup')
      .send({ ...alice, password: 'another password', displayName: 'Mallory' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('USERNAME_TAKEN');
    const stored = await state.getState<UserRecord>(keys.user('alice'));
    expect(stored?.value.userId).toBe(first.body.userId);
    expect(stored?.value.displayName).toBe('Alice Kim');
  });

  it('when two sign-ups with one username race, then exactly one gets 201 and the other 409', async () => {
    const { app } = setup();
    const results = await Promise.all(
      ['first password!', 'second password!'].map((password) => request(app).post('/auth/signup').send({ username: 'racer', password })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)?.body.error.code).toBe('USERNAME_TAKEN');
  });

  describe('validation (400 VALIDATION_FAILED, details name the field)', () => {
    const cases: [string, string, object][] = [
      ['a password of 9 characters', 'password', { username: 'carol', password: '123456789' }],
      ['a password over 200 characters', 'password', { username: 'carol', password: 'x'.repeat(201) }],
      ['an upper-case username', 'username', { username: 'Carol', password: 'long enough password' }],
      ['a username with a space', 'username', { username: 'carol kim', password: 'long enough password' }],
      ['a username with @', 'username', { username: 'carol@home', password: 'long enough password' }],
      ['a username of 2 characters', 'username', { username: 'ca', password: 'long enough password' }],
      ['a username of 41 characters', 'username', { username: 'c'.repeat(41), password: 'long enough password' }],
      [
        'a control character in displayName',
        'displayName',
        { username: 'carol', password: 'long enough password', displayName: 'Carol\u0007' },
      ],
      ['a line break in displayName', 'displayName', { username: 'carol', password: 'long enough password', displayName: 'Carol\nKim' }],
      ['DEL in displayName', 'displayName', { username: 'carol', password: 'long enough password', displayName: 'Carol\u007f' }],
      ['a blank displayName', 'displayName', { username: 'carol', password: 'long enough password', displayName: '   ' }],
      [
        'a displayName over 200 characters',
        'displayName',
        { username: 'carol', password: 'long enough password', displayName: 'C'.repeat(201) },
      ],
      ['an unknown field', 'role', { username: 'carol', password: 'long enough password', role: 'admin' }],
      [
        'a userId chosen by the client',
        'userId',
        { username: 'carol', password: 'long enough password', userId: 'usr_00000000000000000000' },
      ],
      ['no password', 'password', { username: 'carol' }],
      ['a password that is not a string', 'password', { username: 'carol', password: 12345678901 }],
    ];

    it.each(cases)('when the body has %s, then 400 names %s and nothing is stored', async (_what, field, body) => {
      const { app, state } = setup();
      const res = await request(app).post('/auth/signup').send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(await state.getState(keys.user(String((body as { username?: unknown }).username)))).toBeUndefined();
    });

    it('when the body is not JSON, then 400 MALFORMED_JSON', async () => {
      const { app } = setup();
      const res = await request(app).post('/auth/signup').set('Content-Type', 'application/json').send('{"username":');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('MALFORMED_JSON');
    });

    it('when the password has exactly 10 characters (non-ASCII counted as characters), then it is accepted', async () => {
      const { app } = setup();
      await request(app).post('/auth/signup').send({ username: 'dora', password: '비밀번호비밀번호비밀' }).expect(201);
    });
  });
});
