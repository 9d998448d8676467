import { answerFailure, isUnavailable } from '../src';

describe("reading the sidecar's error answers", () => {
  it('when the answer is JSON, then status and the callee body come out parsed, and raw summarises it', () => {
    const failure = answerFailure(409, 'Conflict', '{"error":{"code":"ROOM_UNAVAILABLE"}}');
    expect(failure).toMatchObject({ status: 409, body: { error: { code: 'ROOM_UNAVAILABLE' } } });
    expect(JSON.parse(failure.raw)).toEqual({ error: 'Conflict', error_msg: '{"error":{"code":"ROOM_UNAVAILABLE"}}', status: 409 });
  });

  it('when the answer is not JSON, then the body is its text', () => {
    expect(answerFailure(502, 'Bad Gateway', 'upstream gone')).toMatchObject({ status: 502, body: 'upstream gone' });
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
