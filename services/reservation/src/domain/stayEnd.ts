/**
 * When a stay has ended, and which checkout days the stays-end job looks at. Pure: days are
 * calendar days `YYYY-MM-DD`, instants are Dates, time zones IANA names.
 *
 * A reservation checking out on day D is completed from 00:00 of D+1 in the stay's time zone,
 * i.e. from the first instant whose local date is after D. The index of reservations by checkout
 * day knows only D; the job reads a day once that moment may have come in some zone and moves its
 * watermark past it once it has come in every zone and nothing of that day is left confirmed.
 */
import { addDays } from '@staycar/common';

/** The zone of a stay whose room named none (issue 18: rooms default to Asia/Seoul). */
export const DEFAULT_TIME_ZONE = 'Asia/Seoul';

/**
 * The time zone a reservation's days are counted in: the room's, captured at reserve time
 * (`timeZone`, added to reservations by the cancellation-policy work), else DEFAULT_TIME_ZONE. The
 * one place that decides it.
 */
export const timeZoneOf = (reservation: { timeZone?: string | null }): string => reservation.timeZone ?? DEFAULT_TIME_ZONE;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of `instant` in `timeZone` (throws RangeError for a zone Intl does not know). */
export function localDay(instant: Date, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** True from 00:00 of the day after `checkOut` in the stay's time zone (an unknown zone counts as the default). */
export function stayEnded(reservation: { checkOut: string; timeZone?: string | null }, now: Date): boolean {
  let today: string;
  try {
    today = localDay(now, timeZoneOf(reservation));
  } catch {
    today = localDay(now, DEFAULT_TIME_ZONE);
  }
  return today > reservation.checkOut;
}

const HOUR = 3_600_000;
const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The latest date anywhere (UTC+14, the most advanced zone): days before it may have ended somewhere. */
export const latestDate = (now: Date): string => utcDay(now.getTime() + 14 * HOUR);

/** The earliest date anywhere (UTC−12): days before it have ended in every zone. */
export const earliestDate = (now: Date): string => utcDay(now.getTime() - 12 * HOUR);

/** `from`..`to` inclusive (empty when to < from), at most `max` days. */
export function daysBetween(from: string, to: string, max: number): string[] {
  const days: string[] = [];
  for (let day = from; day <= to && days.length < max; day = addDays(day, 1)) days.push(day);
  return days;
}

/**
 * The checkout days a run reads: after the watermark (the last day already settled) up to the
 * last day that may have ended somewhere, at most `maxDays` (a long downtime is caught up over
 * several runs). Without a watermark (the first run ever) it starts `lookbackDays` before the
 * earliest date anywhere.
 */
export function daysToRead(watermark: string | undefined, now: Date, maxDays: number, lookbackDays: number): string[] {
  const from = watermark === undefined ? addDays(earliestDate(now), -lookbackDays) : addDays(watermark, 1);
  return daysBetween(from, addDays(latestDate(now), -1), maxDays);
}

/**
 * The new watermark after a run: the last of `days` (in order, starting right after the old
 * watermark) up to which every day has ended in every zone and holds nothing confirmed any more;
 * undefined when not even the first day is settled.
 */
export function settledUpTo(days: string[], now: Date, confirmedLeft: (day: string) => boolean): string | undefined {
  const everywhere = earliestDate(now);
  let settled: string | undefined;
  for (const day of days) {
    if (day >= everywhere || confirmedLeft(day)) break;
    settled = day;
  }
  return settled;
}
