import { DependencyUnavailableError, InvocationError, type Sidecar } from '@staycar/common';
import { DaprCarCalendar, DaprPaymentGateway, DaprRoomCalendar } from '../src/adapters/invocation';

// The saga's internal routes answer refusals as 200 {rejected: {status, error}} (docs/contracts.md);
// the adapters turn them back into the InvocationError a plain 4xx was, so the saga maps them to
// the same public answers (404/409/402) as before.

/** A Sidecar whose invoke answers `answer` (or throws it). Only invoke is used by these adapters. */
function sidecarAnswering(answer: unknown, calls: string[] = []): Sidecar {
  const invoke = async (appId: string, method: string) => {
    calls.push(`${appId} ${method}`);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { invoke } as unknown as Sidecar;
}

const rejected = (status: number, code: string) => ({ rejected: { status, error: { code, message: 'no', details: [] } } });
const holdRequest = { reservationId: 'res-1', guestId: 'g', checkIn: '2030-01-01', checkOut: '2030-01-03' };

describe('invocation adapters and the {rejected} envelope', () => {
  it('when room refuses a hold with {rejected 409}, then an InvocationError 409 with the API error body', async () => {
    const rooms = new DaprRoomCalendar(sidecarAnswering(rejected(409, 'ROOM_UNAVAILABLE')), 'room');
    const error = await rooms.hold('room-1', holdRequest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvocationError);
    expect(error).toMatchObject({ status: 409, body: { error: { code: 'ROOM_UNAVAILABLE' } } });
  });

  it('when rentcar refuses with {rejected 404} and payment with {rejected 402}, then InvocationErrors 404 and 402', async () => {
    const cars = new DaprCarCalendar(sidecarAnswering(rejected(404, 'CAR_NOT_FOUND')), 'rentcar');
    await expect(cars.hold('car-1', holdRequest)).rejects.toMatchObject({ status: 404, body: { error: { code: 'CAR_NOT_FOUND' } } });
    const payments = new DaprPaymentGateway(sidecarAnswering(rejected(402, 'PAYMENT_DECLINED')), 'payment');
    await expect(payments.approve({ reservationId: 'res-1', guestId: 'g', amount: 1, currency: 'KRW' })).rejects.toMatchObject({
      status: 402,
      body: { error: { code: 'PAYMENT_DECLINED' } },
    });
  });

  it('when a hold is granted, then the Hold is answered; a refund that finds no payment ({rejected 404}) is done', async () => {
    const hold = { roomId: 'room-1', reservationId: 'res-1', nights: 2, pricePerNight: 10, currency: 'KRW', roomName: 'n', city: 'c' };
    await expect(new DaprRoomCalendar(sidecarAnswering(hold), 'room').hold('room-1', holdRequest)).resolves.toMatchObject(hold);
    const calls: string[] = [];
    await expect(
      new DaprPaymentGateway(sidecarAnswering(rejected(404, 'NOT_FOUND'), calls), 'payment').refund('res-1'),
    ).resolves.toBeUndefined();
    expect(calls).toEqual(['payment internal/payments/by-reservation/res-1/refund']);
  });

  it('when the callee is unavailable, then the DependencyUnavailableError passes through (→ 503 and compensation)', async () => {
    const down = new DependencyUnavailableError('payment down', 500, {});
    await expect(new DaprPaymentGateway(sidecarAnswering(down), 'payment').refund('res-1')).rejects.toBe(down);
    await expect(new DaprRoomCalendar(sidecarAnswering(down), 'room').release('room-1', 'res-1')).rejects.toBe(down);
  });
});
