import { PoisonEventError, type Logger } from '@staycar/common';
import type { ViewEvent, ViewEventType } from '../domain/events';
import type { EventHistory } from '../ports';

export interface RebuildDeps {
  history: EventHistory;
  /** Which recorded types the view consumes. */
  consumes: (type: string) => type is ViewEventType;
  /** The event's data as the view reads it, or PoisonEventError (the same parse as a delivery's). */
  read: (type: ViewEventType, data: unknown) => ViewEvent;
  /** Folds one event into the view (app/project.ts); true when it changed a row. */
  project: (event: ViewEvent) => Promise<boolean>;
  logger: Logger;
}

export interface RebuildCount {
  read: number;
  applied: number;
  skipped: number;
}

/**
 * Replays the event history through the same idempotent, order-tolerant projection a delivery
 * goes through: safe over an existing view and while the service runs. Entries that are not events,
 * or events whose data is unusable, are counted and skipped; types the view does not consume are passed over.
 */
export async function rebuildView(deps: RebuildDeps): Promise<RebuildCount> {
  const count: RebuildCount = { read: 0, applied: 0, skipped: 0 };
  for await (const entry of deps.history.entries()) {
    count.read++;
    if (entry.type === undefined) {
      count.skipped++;
      continue;
    }
    if (!deps.consumes(entry.type)) continue;
    try {
      if (await deps.project(deps.read(entry.type, entry.data))) count.applied++;
    } catch (error) {
      if (!(error instanceof PoisonEventError)) throw error;
      count.skipped++;
      deps.logger.warn({ id: entry.id, type: entry.type }, 'unusable event skipped');
    }
  }
  deps.logger.info(count, 'view rebuilt from the event history');
  return count;
}
