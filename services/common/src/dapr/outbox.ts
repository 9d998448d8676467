import type { DomainEvent } from '../state/port';
import { currentTraceHeaders } from '../telemetry/propagation';
import type { StateWrite } from './sidecar';

/**
 * The writes that store an aggregate and publish its event through Dapr's transactional outbox
 * (`Sidecar.saveWithEvent`): both commit together or not at all.
 *
 * How Dapr 1.18 does it (pkg/runtime/pubsub/outbox.go): every upsert of a transaction on an
 * outbox-enabled store is published, its metadata copied verbatim into the CloudEvent (so
 * `type` sets the CloudEvent type), and an `outbox.projection` upsert of the same key replaces
 * the published payload. Rules that follow: one aggregate (one projection) per transaction, and
 * writes that must not publish go through `saveState`, never `transact`.
 *
 * The trace context goes into the metadata too, so the CloudEvent carries `traceparent` and every
 * consumer's delivery joins the trace of the request that changed the state. Dapr's outbox alone
 * does not do it: PublishInternal builds the envelope with an empty `traceparent` and puts the span
 * only into `traceid`, and the subscriber (postman/http Deliver) takes `traceparent` whenever the
 * key is there, empty or not — so each delivery started a trace of its own (docs/tracing.md).
 */
export function writeWithEvent(write: { key: string; value: unknown; etag?: string }, event: DomainEvent): StateWrite[] {
  return [
    { operation: 'upsert', key: write.key, value: write.value, etag: write.etag, metadata: { type: event.type, ...currentTraceHeaders() } },
    {
      operation: 'upsert',
      key: write.key,
      value: event.data,
      metadata: { 'outbox.projection': 'true', contentType: 'application/json' },
    },
  ];
}
