import { isUnavailable, unpackSdkError } from '../src';

describe('unpacking the JS SDK errors', () => {
  it('when the SDK throws its JSON string, then status and the callee body come out parsed', () => {
    const error = new Error(JSON.stringify({ error: 'Conflict', error_msg: '{"error":{"code":"ROOM_UNAVAILABLE"}}', status: 409 }));
    expect(unpackSdkError(error)).toMatchObject({ status: 409, body: { error: { code: 'ROOM_UNAVAILABLE' } } });
  });

  it('when Dapr reports an open breaker or a deadline, then it counts as unavailable', () => {
    const open = { errorCode: 'ERR_DIRECT_INVOKE', message: 'failed to invoke, id: payment, err: circuit breaker is open' };
    const late = { errorCode: 'ERR_DIRECT_INVOKE', message: 'failed to invoke, id: payment, err: context deadline exceeded' };
    expect(isUnavailable(500, open)).toBe(true);
    expect(isUnavailable(500, late)).toBe(true);
  });

  it("when the callee answers its own error, then it is not Dapr's unavailability", () => {
    expect(isUnavailable(409, { error: { code: 'ROOM_UNAVAILABLE' } })).toBe(false);
    expect(isUnavailable(500, { error: { code: 'INTERNAL', message: 'x' } })).toBe(false);
  });
});
