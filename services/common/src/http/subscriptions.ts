import type { Express, Request, Response } from 'express';
import type { BulkSubscribeConfig } from '../config';
import { ConfigError } from '../config';
import { DomainError } from '../errors';
import type { Logger } from '../logger';
import { runWithContext } from '../requestContext';
import { recordDeadLettered, recordEventVerdict, secondsSince, type EventVerdict } from '../metrics/events';

/** What a handler gets of a delivered CloudEvent. */
export interface DeliveredEvent {
  id: string;
  type: string;
  data: unknown;
  traceparent?: string;
}

/** A handler must be idempotent: delivery is at least once and in no guaranteed order. */
export type EventHandler = (event: DeliveredEvent) => Promise<void>;

/**
 * Handles the consumed events of one bulk delivery all or nothing (e.g. in one database
 * transaction). Throwing sends the batch's events through the single-event handlers one by one.
 */
export type BatchHandler = (events: DeliveredEvent[]) => Promise<void>;

/** Where a service's events come from (its BaseConfig: names live in YAML and env, never in code). */
export interface SubscriptionConfig {
  pubsub: string;
  /** One topic per producing family whose events this service consumes. */
  eventsTopics: string[];
  deadLetterTopic: string;
  /** Take each topic's events in batches (Dapr bulk subscribe) when set. */
  bulk?: BulkSubscribeConfig;
}

export interface SubscriptionOptions {
  config: SubscriptionConfig;
  logger: Logger;
  /** Event type → handler: the whole of what this service consumes, at a glance. */
  handlers: Record<string, EventHandler>;
  /** Bulk only: the fast path for a whole batch; `handlers` remain the per-event fallback. */
  batchHandler?: BatchHandler;
}

/** Thrown by a handler for an event it can never process (bad payload): dropped to the dead-letter topic. */
export class PoisonEventError extends Error {}

/** What the service answers Dapr for one event. */
export type EventStatus = 'SUCCESS' | 'RETRY' | 'DROP';

const verdictOf = (status: EventStatus): EventVerdict => (status === 'SUCCESS' ? 'success' : status === 'DROP' ? 'drop' : 'retry');

const SAFE_TYPE = /^[A-Za-z][A-Za-z0-9]*$/;
/** Where events of types this service does not consume go (cannot clash with a SAFE_TYPE route). */
const IGNORED_ROUTE = '/events/_ignored';
/** Where Dapr posts a batch of a bulk subscription (one route: types are told apart here, not by Dapr). */
export const BULK_ROUTE = '/events/_bulk';
const DEAD_LETTER_ROUTE = '/events/dead-letter';

/** How many event ids answered RETRY in bulk are remembered (see `BulkVerdicts`). */
const REMEMBERED_RETRIES = 10_000;

const isPoison = (error: unknown): boolean =>
  error instanceof PoisonEventError || (error instanceof DomainError && error.kind === 'invalid');

function toDelivered(body: unknown, fallbackType = ''): DeliveredEvent {
  const event = (typeof body === 'object' && body !== null ? body : {}) as Partial<Record<keyof DeliveredEvent, unknown>>;
  return {
    id: typeof event.id === 'string' || typeof event.id === 'number' ? String(event.id) : '',
    type: typeof event.type === 'string' ? event.type : fallbackType,
    data: event.data,
    traceparent: typeof event.traceparent === 'string' ? event.traceparent : undefined,
  };
}

/**
 * Dapr 1.18's bulk path dead-letters a DROPped entry by its position in the *first* attempt's
 * batch (pkg/runtime/subscription/postman/http/http.go): on a retried attempt, which carries only
 * the entries that failed, that position names another entry or none (an index out of range). So
 * an event once answered RETRY is never answered DROP later: it stays RETRY, and when the inbound
 * retry policy gives up Dapr dead-letters exactly the failed entries (bulksubscription.go,
 * sendBulkToDLQIfConfigured) — the same end, reached safely.
 */
class BulkVerdicts {
  private readonly retried = new Set<string>();

  status(eventId: string, error: unknown): EventStatus {
    if (error === undefined) {
      this.retried.delete(eventId);
      return 'SUCCESS';
    }
    if (isPoison(error) && !this.retried.has(eventId)) return 'DROP';
    this.retried.add(eventId);
    if (this.retried.size > REMEMBERED_RETRIES) this.retried.delete(this.retried.values().next().value as string);
    return 'RETRY';
  }
}

interface BulkEntry {
  entryId: string;
  event: DeliveredEvent;
}

function bulkEntries(body: unknown): BulkEntry[] {
  const entries = (body as { entries?: unknown } | undefined)?.entries;
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((entry: unknown) => {
    const { entryId, event } = (entry ?? {}) as { entryId?: unknown; event?: unknown };
    // Without an id an entry cannot be answered; Dapr counts an unanswered entry as RETRY.
    return typeof entryId === 'string' && entryId !== '' ? [{ entryId, event: toDelivered(event) }] : [];
  });
}

/**
 * Serves the service's subscriptions from our own Express routes, not the SDK's DaprServer (whose
 * callbacks answer success even when they throw). One subscription per topic in `eventsTopics`
 * (each producing family has its own topic, so a service is sent only the families it consumes),
 * plus its dead-letter topic. A handler's failure answers RETRY, so Dapr's inbound resiliency policy
 * redelivers it, then dead-letters it; an event that can never be handled answers DROP (dead-lettered now).
 *
 * With `config.bulk`, Dapr delivers each topic's events in batches to one route and every entry gets its
 * own status: one bad event fails only itself.
 */
export function mountSubscriptions(app: Express, options: SubscriptionOptions): void {
  const { config, logger, handlers } = options;
  const types = Object.keys(handlers);
  for (const type of types) {
    if (!SAFE_TYPE.test(type)) throw new Error(`Event type "${type}" cannot be routed.`);
  }
  if (types.length > 0 && config.eventsTopics.length === 0) {
    throw new ConfigError(`This service consumes ${types.join(', ')} but EVENTS_TOPICS names no topic to read them from.`);
  }

  app.get('/dapr/subscribe', (_req, res) => {
    if (types.length === 0) {
      res.json([]);
      return;
    }
    const subscriptions: object[] = config.eventsTopics.map((topic) =>
      config.bulk
        ? {
            pubsubname: config.pubsub,
            topic,
            route: BULK_ROUTE,
            deadLetterTopic: config.deadLetterTopic,
            bulkSubscribe: { enabled: true, ...config.bulk },
          }
        : {
            pubsubname: config.pubsub,
            topic,
            routes: {
              rules: types.map((type) => ({ match: `event.type == "${type}"`, path: `/events/${type}` })),
              // Without a default route Dapr treats an event that matches no rule as DROP and sends it
              // to the dead-letter topic: the family's other types would land there.
              default: IGNORED_ROUTE,
            },
            deadLetterTopic: config.deadLetterTopic,
          },
    );
    subscriptions.push({ pubsubname: config.pubsub, topic: config.deadLetterTopic, route: DEAD_LETTER_ROUTE });
    res.json(subscriptions);
  });

  app.post(IGNORED_ROUTE, (req: Request, res: Response) => {
    const event = toDelivered(req.body);
    logger.debug({ eventId: event.id, eventType: event.type }, 'event not consumed here; acknowledged');
    res.json({ status: 'SUCCESS' });
  });

  app.post(DEAD_LETTER_ROUTE, (req: Request, res: Response) => {
    const event = toDelivered(req.body);
    logger.error({ eventId: event.id, eventType: event.type, data: event.data }, 'event dead-lettered');
    recordDeadLettered(event.type);
    res.json({ status: 'SUCCESS' });
  });

  /** Runs one event's handler; undefined when it succeeded, else what it threw (logged). */
  const handleOne = async (event: DeliveredEvent): Promise<unknown> => {
    const context = { requestId: `event-${event.id}`, traceparent: event.traceparent };
    try {
      await runWithContext(context, () => handlers[event.type](event));
      return undefined;
    } catch (error) {
      if (isPoison(error)) {
        logger.warn({ eventId: event.id, eventType: event.type, reason: String((error as Error).message) }, 'event dropped');
      } else {
        logger.warn({ eventId: event.id, eventType: event.type, err: error }, 'event handling failed; will be retried');
      }
      return error ?? new Error('handler failed');
    }
  };

  for (const type of types) {
    app.post(`/events/${type}`, async (req: Request, res: Response) => {
      const started = process.hrtime.bigint();
      const error = await handleOne(toDelivered(req.body, type));
      const status: EventStatus = error === undefined ? 'SUCCESS' : isPoison(error) ? 'DROP' : 'RETRY';
      recordEventVerdict(type, verdictOf(status), secondsSince(started));
      if (status === 'RETRY') res.status(500).json({ status });
      else res.json({ status });
    });
  }

  if (!config.bulk) return;
  const verdicts = new BulkVerdicts();
  app.post(BULK_ROUTE, async (req: Request, res: Response) => {
    const started = process.hrtime.bigint();
    const entries = bulkEntries(req.body);
    const consumed = entries.filter(({ event }) => Object.hasOwn(handlers, event.type));
    const outcome = new Map<string, unknown>();
    let batched = false;
    if (options.batchHandler && consumed.length > 0) {
      try {
        await runWithContext({ requestId: `batch-${consumed[0].event.id}` }, () => options.batchHandler!(consumed.map((e) => e.event)));
        batched = true;
        for (const { entryId } of consumed) outcome.set(entryId, undefined);
      } catch (error) {
        logger.debug({ events: consumed.length, err: error }, 'batch failed as a whole; handling its events one by one');
      }
    }
    if (!batched) {
      const errors = await Promise.all(consumed.map(({ event }) => handleOne(event)));
      consumed.forEach(({ entryId }, i) => outcome.set(entryId, errors[i]));
    }
    const statuses = entries.map(({ entryId, event }): { entryId: string; status: EventStatus } => ({
      entryId,
      // Not consumed here (another type of the family): acknowledged, as the single route's default.
      status: outcome.has(entryId) ? verdicts.status(event.id, outcome.get(entryId)) : 'SUCCESS',
    }));
    // Every event of a batch waited for the whole batch: that is its handling time.
    const seconds = secondsSince(started);
    entries.forEach(({ entryId, event }, i) => {
      if (outcome.has(entryId)) recordEventVerdict(event.type, verdictOf(statuses[i].status), seconds);
    });
    res.json({ statuses });
  });
}
