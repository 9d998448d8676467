import type { Express, Request, Response } from 'express';
import { DomainError } from '../errors';
import type { Logger } from '../logger';
import { runWithContext } from '../requestContext';

/** What a handler gets of a delivered CloudEvent. */
export interface DeliveredEvent {
  id: string;
  type: string;
  data: unknown;
  traceparent?: string;
}

/** A handler must be idempotent: delivery is at least once and in no guaranteed order. */
export type EventHandler = (event: DeliveredEvent) => Promise<void>;

export interface SubscriptionOptions {
  pubsub: string;
  topic: string;
  deadLetterTopic: string;
  logger: Logger;
  /** Event type → handler: the whole of what this service consumes, at a glance. */
  handlers: Record<string, EventHandler>;
}

/** Thrown by a handler for an event it can never process (bad payload): dropped to the dead-letter topic. */
export class PoisonEventError extends Error {}

const SAFE_TYPE = /^[A-Za-z][A-Za-z0-9]*$/;
/** Where events of types this service does not consume go (cannot clash with a SAFE_TYPE route). */
const IGNORED_ROUTE = '/events/_ignored';

/**
 * Serves the service's subscriptions from our own Express routes, not the SDK's DaprServer (whose
 * callbacks answer success even when they throw). A handler's failure answers 500, so Dapr's
 * inbound resiliency policy redelivers it, then dead-letters it.
 */
export function mountSubscriptions(app: Express, options: SubscriptionOptions): void {
  const types = Object.keys(options.handlers);
  for (const type of types) {
    if (!SAFE_TYPE.test(type)) throw new Error(`Event type "${type}" cannot be routed.`);
  }

  app.get('/dapr/subscribe', (_req, res) => {
    const subscriptions: object[] = [];
    if (types.length > 0) {
      subscriptions.push({
        pubsubname: options.pubsub,
        topic: options.topic,
        routes: {
          rules: types.map((type) => ({ match: `event.type == "${type}"`, path: `/events/${type}` })),
          // Without a default route Dapr treats an event that matches no rule as DROP and sends it
          // to the dead-letter topic: every other service's event would land there.
          default: IGNORED_ROUTE,
        },
        deadLetterTopic: options.deadLetterTopic,
      });
      subscriptions.push({ pubsubname: options.pubsub, topic: options.deadLetterTopic, route: '/events/dead-letter' });
    }
    res.json(subscriptions);
  });

  app.post(IGNORED_ROUTE, (req: Request, res: Response) => {
    const event = req.body as Partial<DeliveredEvent> | undefined;
    options.logger.debug({ eventId: event?.id, eventType: event?.type }, 'event not consumed here; acknowledged');
    res.json({ status: 'SUCCESS' });
  });

  app.post('/events/dead-letter', (req: Request, res: Response) => {
    const event = req.body as Partial<DeliveredEvent> | undefined;
    options.logger.error({ eventId: event?.id, eventType: event?.type, data: event?.data }, 'event dead-lettered');
    res.json({ status: 'SUCCESS' });
  });

  for (const type of types) {
    const handler = options.handlers[type];
    app.post(`/events/${type}`, async (req: Request, res: Response) => {
      const body = req.body as Partial<DeliveredEvent> | undefined;
      const event: DeliveredEvent = {
        id: String(body?.id ?? ''),
        type: String(body?.type ?? type),
        data: body?.data,
        traceparent: typeof body?.traceparent === 'string' ? body.traceparent : undefined,
      };
      const context = { requestId: `event-${event.id}`, traceparent: event.traceparent };
      try {
        await runWithContext(context, () => handler(event));
        res.json({ status: 'SUCCESS' });
      } catch (error) {
        if (error instanceof PoisonEventError || (error instanceof DomainError && error.kind === 'invalid')) {
          options.logger.warn({ eventId: event.id, eventType: event.type, reason: String(error.message) }, 'event dropped');
          res.json({ status: 'DROP' });
          return;
        }
        options.logger.warn({ eventId: event.id, eventType: event.type, err: error }, 'event handling failed; will be retried');
        res.status(500).json({ status: 'RETRY' });
      }
    });
  }
}
