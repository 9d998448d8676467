import { InvocationError, rejectionOf, type Sidecar, type Verb } from '@staycar/common';
import type {
  ApproveRequest,
  ApprovedPayment,
  CarCalendar,
  CarHold,
  HoldRequest,
  PaymentGateway,
  RoomCalendar,
  RoomHold,
} from '../domain/ports';
import { CarHoldAnswer, PaymentAnswer, RoomHoldAnswer, checked } from './answers';

const seg = encodeURIComponent;

/**
 * Invokes an internal route that answers refusals as `200 {rejected: {status, error}}`
 * (docs/contracts.md: a non-2xx would trip the Dapr circuit breaker). A refusal is thrown as the
 * InvocationError a plain 4xx used to be, so the saga and the public answers (404/409/402) stay as
 * they were; real failures (5xx, timeout, open breaker, callee down) throw from `invoke`.
 */
async function invokeInternal(sidecar: Sidecar, appId: string, method: string, verb: Verb, body?: unknown): Promise<unknown> {
  const answer = await sidecar.invoke<unknown>(appId, method, verb, body);
  const rejected = rejectionOf(answer);
  if (rejected) throw new InvocationError(`${appId}/${method} refused ${rejected.status}`, rejected.status, { error: rejected.error });
  return answer;
}

/** room's internal hold routes (docs/contracts.md), through Dapr service invocation. */
export class DaprRoomCalendar implements RoomCalendar {
  constructor(
    private readonly sidecar: Sidecar,
    private readonly appId: string,
  ) {}

  async hold(roomId: string, request: HoldRequest): Promise<RoomHold> {
    const answer = await invokeInternal(this.sidecar, this.appId, `internal/rooms/${seg(roomId)}/holds`, 'POST', request);
    return checked(RoomHoldAnswer, answer, 'room hold');
  }

  async release(roomId: string, reservationId: string): Promise<void> {
    await invokeInternal(this.sidecar, this.appId, `internal/rooms/${seg(roomId)}/holds/${seg(reservationId)}`, 'DELETE');
  }
}

/** rentcar's internal hold routes. */
export class DaprCarCalendar implements CarCalendar {
  constructor(
    private readonly sidecar: Sidecar,
    private readonly appId: string,
  ) {}

  async hold(carId: string, request: HoldRequest): Promise<CarHold> {
    const answer = await invokeInternal(this.sidecar, this.appId, `internal/rentcars/${seg(carId)}/holds`, 'POST', request);
    return checked(CarHoldAnswer, answer, 'car hold');
  }

  async release(carId: string, reservationId: string): Promise<void> {
    await invokeInternal(this.sidecar, this.appId, `internal/rentcars/${seg(carId)}/holds/${seg(reservationId)}`, 'DELETE');
  }
}

/** payment's internal routes: approve keyed by reservation id, refund for recovery and compensation. */
export class DaprPaymentGateway implements PaymentGateway {
  constructor(
    private readonly sidecar: Sidecar,
    private readonly appId: string,
  ) {}

  async approve(request: ApproveRequest): Promise<ApprovedPayment> {
    const answer = await invokeInternal(this.sidecar, this.appId, 'internal/payments', 'POST', request);
    return checked(PaymentAnswer, answer, 'payment approval');
  }

  async refund(reservationId: string): Promise<void> {
    try {
      await invokeInternal(this.sidecar, this.appId, `internal/payments/by-reservation/${seg(reservationId)}/refund`, 'POST');
    } catch (error) {
      // 404: no payment for this reservation (payment leaves a tombstone, so a late approve is refused).
      if (error instanceof InvocationError && error.status === 404) return;
      throw error;
    }
  }
}
