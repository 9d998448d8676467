// Rooms and cars share one stay calendar (services/common/src/stayCalendar.ts).
import { stayCalendar } from '@staycar/common';

export type EntryStatus = stayCalendar.EntryStatus;
export type CalendarEntry<S> = stayCalendar.CalendarEntry<S>;
export type Calendar<S> = stayCalendar.Calendar<S>;
export type StayRequest = stayCalendar.StayRequest;
export type HoldOutcome<S> = stayCalendar.HoldOutcome<S>;
export type BookOutcome<S> = stayCalendar.BookOutcome<S>;
export type CancelOutcome<S> = stayCalendar.CancelOutcome<S>;

export const {
  KEEP_PAST_DAYS,
  emptyCalendar,
  blocks,
  entryOf,
  conflictOf,
  isAvailable,
  upcomingBookings,
  prune,
  placeHold,
  book,
  releaseHold,
  cancel,
  close,
} = stayCalendar;
