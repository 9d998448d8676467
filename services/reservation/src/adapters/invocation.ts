import {
  DomainError,
  InvocationError,
  isErrorBody,
  kindOfStatus,
  rejectionOf,
  type Logger,
  type Sidecar,
  type Verb,
} from '@staycar/common';
import type { Static, TSchema } from '@sinclair/typebox';
import type { ApproveRequest, ApprovedPayment, CarCalendar, HoldRequest, PaymentGateway, RoomCalendar } from '../ports';
import { CarHoldAnswer, PaymentAnswer, RoomHoldAnswer, checked } from './answers';
import { dependencyFailure } from './failures';

const seg = encodeURIComponent;

/** Where and how the invocation adapters call: the sidecar, the callee's app id, our Retry-After. */
export interface Callee {
  sidecar: Pick<Sidecar, 'invoke'>;
  appId: string;
  retryAfterSeconds: number;
  logger: Logger;
}

/**
 * Invokes an internal route that answers refusals as `200 {rejected: {status, error}}`
 * (docs/contracts.md: a non-2xx would trip the Dapr circuit breaker). A refusal — that envelope, or
 * a plain 4xx with an API error — is thrown as the DomainError of its kind, with the callee's code,
 * message and details (so the public answers stay 404/409/402); everything else (5xx, timeout, open
 * breaker, callee down) is TRY_LATER.
 */
async function invokeInternal(callee: Callee, method: string, verb: Verb, body?: unknown): Promise<unknown> {
  let answer: unknown;
  try {
    answer = await callee.sidecar.invoke<unknown>(callee.appId, method, verb, body);
  } catch (error) {
    const status = error instanceof InvocationError ? error.status : undefined;
    if (status !== undefined && status >= 400 && status < 500 && isErrorBody((error as InvocationError).body)) {
      const { code, message, details } = (
        (error as InvocationError).body as { error: { code: string; message: string; details?: unknown } }
      ).error;
      throw new DomainError(kindOfStatus(status), code, message, Array.isArray(details) ? details : []);
    }
    throw dependencyFailure(error, callee.retryAfterSeconds, callee.logger);
  }
  const rejected = rejectionOf(answer);
  if (rejected) {
    const { code, message, details } = rejected.error;
    throw new DomainError(kindOfStatus(rejected.status), code, message, details);
  }
  return answer;
}

/**
 * room's and rentcar's internal hold routes (docs/contracts.md), through Dapr service invocation:
 * `internal/<resource>/<id>/holds` to hold, `…/holds/<reservationId>` to release.
 */
class DaprHolds<S extends TSchema> {
  constructor(
    private readonly callee: Callee,
    private readonly resource: 'rooms' | 'rentcars',
    private readonly answer: S,
  ) {}

  async hold(id: string, request: HoldRequest): Promise<Static<S>> {
    const answer = await invokeInternal(this.callee, `internal/${this.resource}/${seg(id)}/holds`, 'POST', request);
    return checked(this.answer, answer, `${this.resource} hold`, this.callee);
  }

  async release(id: string, reservationId: string): Promise<void> {
    await invokeInternal(this.callee, `internal/${this.resource}/${seg(id)}/holds/${seg(reservationId)}`, 'DELETE');
  }
}

export class DaprRoomCalendar extends DaprHolds<typeof RoomHoldAnswer> implements RoomCalendar {
  constructor(callee: Callee) {
    super(callee, 'rooms', RoomHoldAnswer);
  }
}

export class DaprCarCalendar extends DaprHolds<typeof CarHoldAnswer> implements CarCalendar {
  constructor(callee: Callee) {
    super(callee, 'rentcars', CarHoldAnswer);
  }
}

/** payment's internal routes: approve keyed by reservation id, refund for recovery and compensation. */
export class DaprPaymentGateway implements PaymentGateway {
  constructor(private readonly callee: Callee) {}

  async approve(request: ApproveRequest): Promise<ApprovedPayment> {
    const answer = await invokeInternal(this.callee, 'internal/payments', 'POST', request);
    return checked(PaymentAnswer, answer, 'payment approval', this.callee);
  }

  async refund(reservationId: string): Promise<void> {
    try {
      await invokeInternal(this.callee, `internal/payments/by-reservation/${seg(reservationId)}/refund`, 'POST');
    } catch (error) {
      // not found: no payment for this reservation (payment leaves a tombstone, so a late approve is refused).
      if (error instanceof DomainError && error.kind === 'not_found') return;
      throw error;
    }
  }
}
