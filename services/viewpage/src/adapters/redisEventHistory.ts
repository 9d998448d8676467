import type Redis from 'ioredis';
import type { EventHistory, RecordedEvent } from '../ports';

const BATCH = 500;

/**
 * The events behind Redis Streams pub/sub topics: Dapr's Redis pub/sub keeps a topic as a stream
 * whose entries hold the CloudEvent (JSON) in their `data` field. Each topic (one per producing
 * family) is read from id 0 in batches, one topic after the other: the view's reducers are
 * order-tolerant, so the families need not be interleaved in time.
 */
export class RedisEventHistory implements EventHistory {
  constructor(
    private readonly redis: Pick<Redis, 'xrange'>,
    private readonly topics: string[],
  ) {}

  async *entries(): AsyncIterable<RecordedEvent> {
    for (const topic of this.topics) yield* this.entriesOf(topic);
  }

  private async *entriesOf(topic: string): AsyncIterable<RecordedEvent> {
    let from = '-';
    for (;;) {
      const entries = await this.redis.xrange(topic, from, '+', 'COUNT', BATCH);
      for (const [id, fields] of entries) {
        from = `(${id}`;
        yield recorded(`${topic}/${id}`, fields[fields.indexOf('data') + 1]);
      }
      if (entries.length < BATCH) return;
    }
  }
}

function recorded(id: string, raw: string | undefined): RecordedEvent {
  let event: { type?: unknown; data?: unknown };
  try {
    event = JSON.parse(raw ?? '') as { type?: unknown; data?: unknown };
  } catch {
    return { id };
  }
  // An entry without a string type is not one the view could consume (old code: passed over, not skipped).
  return { id, type: typeof event?.type === 'string' ? event.type : '', data: event?.data };
}
