import { DependencyUnavailableError, InvocationError } from '../dapr/errors';
import { boundedLabel, counter, gauge } from './registry';

// Dapr's own gauge (dapr_resiliency_cb_state) is one per target app, while Dapr keeps a breaker per
// target app and method path: a call to another method of that app (a refund, a release — each with
// an id in its path, so a fresh, closed breaker) overwrites it. What the caller saw is exact:
// Dapr answers "circuit breaker is open" when it refused a call without trying it.
const open = gauge(
  'staycar_dapr_breaker_open',
  "1 when Dapr refused this app's last call to the target app because a circuit breaker was open; 0 once a call to it was answered.",
  ['target'],
);
const refusals = counter(
  'staycar_dapr_breaker_refusals_total',
  'Calls Dapr refused without trying them: its circuit breaker towards the target was open.',
  ['target'],
);

const refusedByBreaker = (error: DependencyUnavailableError): boolean =>
  JSON.stringify(error.body ?? error.message).includes('circuit breaker is open');

/** After a service invocation of `target`: `error` undefined when it answered 2xx. */
export function observeInvocation(target: string, error?: unknown): void {
  const labels = { target: boundedLabel(target) };
  if (error === undefined || error instanceof InvocationError) {
    open.set(labels, 0);
  } else if (error instanceof DependencyUnavailableError && refusedByBreaker(error)) {
    open.set(labels, 1);
    refusals.inc(labels);
  }
}
