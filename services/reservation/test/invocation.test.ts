import pino from 'pino';
import { DependencyUnavailableError, DomainError, InvocationError, type Sidecar } from '@staycar/common';
import { DaprCarCalendar, DaprPaymentGateway, DaprRoomCalendar } from '../src/adapters/invocation';

// The saga's internal routes answer refusals as 200 {rejected: {status, error}} (docs/contracts.md);
// the adapters turn them into the DomainError of the matching kind with the callee's code, so the
// public answers stay 404/409/402; anything else (callee down, 5xx, a malformed answer) is TRY_LATER.

/** A Sidecar whose invoke answers `answer` (or throws it). Only invoke is used by these adapters. */
function callee(answer: unknown, calls: string[] = [], appId = 'x') {
  const invoke = async (app: string, method: string) => {
    calls.push(`${app} ${method}`);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { sidecar: { invoke } as unknown as Pick<Sidecar, 'invoke'>, appId, retryAfterSeconds: 7, logger: pino({ level: 'silent' }) };
}

const rejected = (status: number, code: string) => ({ rejected: { status, error: { code, message: 'no', details: [] } } });
const holdRequest = { reservationId: 'res-1', guestId: 'g', checkIn: '2030-01-01', checkOut: '2030-01-03' };

describe('invocation adapters and the {rejected} envelope', () => {
  it('when room refuses a hold with {rejected 409}, then a conflict DomainError with the callee’s code and message', async () => {
    const rooms = new DaprRoomCalendar(callee(rejected(409, 'ROOM_UNAVAILABLE')));
    const error = await rooms.hold('room-1', holdRequest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'conflict', code: 'ROOM_UNAVAILABLE', message: 'no', isRefusal: true });
  });

  it('when rentcar refuses with {rejected 404} and payment with {rejected 402}, then not_found and declined DomainErrors', async () => {
    const cars = new DaprCarCalendar(callee(rejected(404, 'CAR_NOT_FOUND')));
    await expect(cars.hold('car-1', holdRequest)).rejects.toMatchObject({ kind: 'not_found', code: 'CAR_NOT_FOUND' });
    const payments = new DaprPaymentGateway(callee(rejected(402, 'PAYMENT_DECLINED')));
    await expect(payments.approve({ reservationId: 'res-1', guestId: 'g', amount: 1, currency: 'KRW' })).rejects.toMatchObject({
      kind: 'declined',
      code: 'PAYMENT_DECLINED',
    });
  });

  it('when a callee answers a plain 4xx with an API error, then the DomainError of its kind', async () => {
    const refused = new InvocationError('room answered 409', 409, { error: { code: 'ROOM_UNAVAILABLE', message: 'taken', details: [] } });
    await expect(new DaprRoomCalendar(callee(refused)).hold('room-1', holdRequest)).rejects.toMatchObject({
      kind: 'conflict',
      code: 'ROOM_UNAVAILABLE',
      message: 'taken',
    });
  });

  it('when a hold is granted, then the Hold is answered; a refund that finds no payment ({rejected 404}) is done', async () => {
    const hold = { roomId: 'room-1', reservationId: 'res-1', nights: 2, pricePerNight: 10, currency: 'KRW', roomName: 'n', city: 'c' };
    await expect(new DaprRoomCalendar(callee(hold)).hold('room-1', holdRequest)).resolves.toMatchObject(hold);
    const calls: string[] = [];
    await expect(new DaprPaymentGateway(callee(rejected(404, 'NOT_FOUND'), calls, 'payment')).refund('res-1')).resolves.toBeUndefined();
    expect(calls).toEqual(['payment internal/payments/by-reservation/res-1/refund']);
  });

  it('when the callee is unavailable, answers 5xx or a malformed answer, then TRY_LATER with the Retry-After (→ 503 and compensation)', async () => {
    const tryLater = { kind: 'unavailable', code: 'TRY_LATER', retryAfterSeconds: 7, isRefusal: false };
    const down = new DependencyUnavailableError('payment down', 500, {});
    await expect(new DaprPaymentGateway(callee(down)).refund('res-1')).rejects.toMatchObject(tryLater);
    await expect(new DaprRoomCalendar(callee(down)).release('room-1', 'res-1')).rejects.toMatchObject(tryLater);
    const broken = new InvocationError('room answered 500', 500, { error: { code: 'INTERNAL', message: 'x', details: [] } });
    await expect(new DaprRoomCalendar(callee(broken)).hold('room-1', holdRequest)).rejects.toMatchObject(tryLater);
    await expect(new DaprRoomCalendar(callee({ roomId: 'room-1' })).hold('room-1', holdRequest)).rejects.toMatchObject(tryLater);
  });
});
