import type Redis from 'ioredis';
import type { EventHistory, RecordedEvent } from '../ports';

const BATCH = 500;

/**
 * The events behind a Redis Streams pub/sub topic: Dapr's Redis pub/sub keeps a topic as a stream
 * whose entries hold the CloudEvent (JSON) in their `data` field. Read from id 0 in batches.
 */
export class RedisEventHistory implements EventHistory {
  constructor(
    private readonly redis: Pick<Redis, 'xrange'>,
    private readonly topic: string,
  ) {}

  async *entries(): AsyncIterable<RecordedEvent> {
    let from = '-';
    for (;;) {
      const entries = await this.redis.xrange(this.topic, from, '+', 'COUNT', BATCH);
      for (const [id, fields] of entries) {
        from = `(${id}`;
        yield recorded(id, fields[fields.indexOf('data') + 1]);
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
