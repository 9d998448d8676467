import { DaprError, EtagConflictError, isTransientStoreError, retryTransient } from '../src';

const mariadb1467 = () =>
  new DaprError('state save failed', 500, {
    errorCode: 'ERR_STATE_SAVE',
    message: 'Error 1467 (HY000): Failed to read auto-increment value from storage engine',
  });

describe('transient state store errors', () => {
  it('when MariaDB fails with 1467 or a deadlock, then it is transient; an ETag conflict or another error is not', () => {
    expect(isTransientStoreError(mariadb1467())).toBe(true);
    expect(isTransientStoreError(new DaprError('x', 500, 'Error 1213: Deadlock found when trying to get lock'))).toBe(true);
    expect(isTransientStoreError(new EtagConflictError('Error 1213', 409))).toBe(false);
    expect(isTransientStoreError(new DaprError('x', 500, 'table missing'))).toBe(false);
    expect(isTransientStoreError(new Error('Error 1467'))).toBe(false);
  });

  it('when an operation fails transiently, then it runs again; other failures and the last attempt pass through', async () => {
    let calls = 0;
    await expect(retryTransient(async () => (++calls < 3 ? Promise.reject(mariadb1467()) : 'ok'))).resolves.toBe('ok');
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      retryTransient(async () => {
        calls++;
        throw mariadb1467();
      }, 2),
    ).rejects.toBeInstanceOf(DaprError);
    expect(calls).toBe(2);
    calls = 0;
    await expect(
      retryTransient(async () => {
        calls++;
        throw new EtagConflictError('c', 409);
      }),
    ).rejects.toBeInstanceOf(EtagConflictError);
    expect(calls).toBe(1);
  });
});
