import type { DomainEvent } from '../state/port';
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
 */
export function writeWithEvent(write: { key: string; value: unknown; etag?: string }, event: DomainEvent): StateWrite[] {
  return [
    { operation: 'upsert', key: write.key, value: write.value, etag: write.etag, metadata: { type: event.type } },
    {
      operation: 'upsert',
      key: write.key,
      value: event.data,
      metadata: { 'outbox.projection': 'true', contentType: 'application/json' },
    },
  ];
}
