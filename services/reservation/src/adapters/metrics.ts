import { boundedLabel, counter } from '@staycar/common';
import type { ReservationMetrics } from '../ports';

/** The reservation use cases' counts as Prometheus counters (served by @staycar/common's metrics server). */
export function reservationMetrics(): ReservationMetrics {
  const outcomes = counter(
    'staycar_saga_outcomes_total',
    'Reservation sagas by how they ended: confirmed, refused (reason: the callee refusal code) or try_later (reason: TRY_LATER…).',
    ['outcome', 'reason'],
  );
  const compensations = counter(
    'staycar_saga_compensations_total',
    'Sagas whose holds or payment were undone, by who undid them (saga, recovery) and whether all of it worked.',
    ['by', 'result'],
  );
  const replays = counter(
    'staycar_idempotent_replays_total',
    'Requests with an Idempotency-Key already seen, answered without a saga: replayed, or the error code.',
    ['result'],
  );
  return {
    sagaEnded: (outcome, reason) => outcomes.inc({ outcome, reason: boundedLabel(reason) }),
    compensated: (by, result) => compensations.inc({ by, result }),
    idempotentReplay: (result) => replays.inc({ result: boundedLabel(result) }),
  };
}
