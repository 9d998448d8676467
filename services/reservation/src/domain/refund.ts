/**
 * How much a cancel refunds (issue 18): pure, by the cancellation terms the reservation was made
 * under (the room's policy and time zone at reserve time) and the instant of the cancel.
 *
 * "Until N days before check-in" means: the cancel happens before 00:00, in the room's time zone,
 * of the calendar day N days before `checkIn` (that day's first instant: where a DST change skips
 * midnight, the first instant that is that day). From that instant on, the next share applies.
 * Cancelling on or after the check-in day is the same as "after" (the last share).
 *
 * | policy | until the cut-off | after it |
 * |---|---|---|
 * | flexible | 100 % until 1 day before | 50 % |
 * | moderate | 100 % until 5 days before | 50 % |
 * | strict | 50 % until 7 days before | 0 |
 * | non_refundable | — | 0 |
 *
 * flexible's share after its cut-off is not named by the issue: 50 %, so that a more flexible
 * policy never refunds less than a stricter one at any instant. A share of an odd amount is
 * rounded down to the currency's smallest unit (amounts are integers in it): 50 % of 101 is 50.
 * The refund covers the reservation's whole amount (a car follows the room's policy).
 */
import type { CancellationPolicy, CancellationTerms } from '@staycar/common';

/** A share refunded when the cancel comes before the first instant of the day `daysBefore` days before check-in. */
interface Step {
  daysBefore: number;
  percent: number;
}

/** Steps from the most generous (the earliest cut-off) on; `after`: the share once every cut-off has passed. */
interface PolicyRule {
  steps: readonly Step[];
  after: number;
}

export const POLICY_RULES: Readonly<Record<CancellationPolicy, PolicyRule>> = {
  flexible: { steps: [{ daysBefore: 1, percent: 100 }], after: 50 },
  moderate: { steps: [{ daysBefore: 5, percent: 100 }], after: 50 },
  strict: { steps: [{ daysBefore: 7, percent: 50 }], after: 0 },
  non_refundable: { steps: [], after: 0 },
};

/** One stretch of the schedule: cancelling before `until` (ISO; null: from the previous cut-off on, for ever) refunds `refundAmount`. */
export interface RefundStep {
  until: string | null;
  percent: number;
  refundAmount: number;
}

/** What a cancel at a given instant refunds, and the whole schedule of the reservation. */
export interface RefundQuote {
  refundAmount: number;
  percent: number;
  /** Until when a cancel refunds everything (ISO); null when the policy never does. */
  fullRefundUntil: string | null;
  schedule: RefundStep[];
}

/** The part of a reservation its refund depends on. */
export type RefundBasis = CancellationTerms & { checkIn: string; amount: number };

/** `percent` % of `amount`, rounded down to the smallest unit. */
export const shareOf = (amount: number, percent: number): number => Math.floor((amount * percent) / 100);

export function quoteRefund(basis: RefundBasis, at: Date): RefundQuote {
  const rule = POLICY_RULES[basis.cancellationPolicy];
  const cutOffs = rule.steps.map((step) => ({
    until: startOfLocalDay(daysBefore(basis.checkIn, step.daysBefore), basis.timeZone).toISOString(),
    percent: step.percent,
    refundAmount: shareOf(basis.amount, step.percent),
  }));
  const after: RefundStep = { until: null, percent: rule.after, refundAmount: shareOf(basis.amount, rule.after) };
  const now = at.getTime();
  const applies = cutOffs.find((step) => now < Date.parse(step.until)) ?? after;
  return {
    refundAmount: applies.refundAmount,
    percent: applies.percent,
    fullRefundUntil: cutOffs.find((step) => step.percent === 100)?.until ?? null,
    schedule: [...cutOffs, after],
  };
}

// ---- calendar days in a time zone --------------------------------------------------------------

const DAY_MS = 86_400_000;

/** The calendar day `n` days before `day` (YYYY-MM-DD; pure calendar arithmetic, no zone). */
export function daysBefore(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - n * DAY_MS).toISOString().slice(0, 10);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Intl's wall clock in `timeZone`, to the second (cached: a formatter costs far more than a format). */
function wallClock(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallParts(ms: number, timeZone: string): Record<string, string> {
  return Object.fromEntries(
    wallClock(timeZone)
      .formatToParts(ms)
      .map((part) => [part.type, part.value]),
  );
}

/** The calendar day (YYYY-MM-DD) it is in `timeZone` at the instant `ms`. */
export function localDay(ms: number, timeZone: string): string {
  const parts = wallParts(ms, timeZone);
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** How far the wall clock in `timeZone` is ahead of UTC at the instant `ms` (whole seconds). */
function offsetAt(ms: number, timeZone: string): number {
  const p = wallParts(ms, timeZone);
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/** Wider than any zone's offset from UTC (−12 h … +14 h), so the day starts inside it. */
const SEARCH_MS = 26 * 3_600_000;

/** True when `ms` is the first millisecond of `day` in `timeZone`. */
const startsDay = (ms: number, day: string, timeZone: string): boolean =>
  localDay(ms, timeZone) === day && localDay(ms - 1, timeZone) < day;

/**
 * The first instant of `day` in `timeZone` (00:00 local, or the first instant after a DST gap
 * that skips it): the earliest millisecond whose local day is `day`. First by the zone's offset
 * at local midnight (two tries, for an offset that changes between the guess and the answer),
 * checked; where that is not it (midnight skipped), by bisection between an instant surely the
 * day before and one surely that day or later.
 */
export function startOfLocalDay(day: string, timeZone: string): Date {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  const guess = midnightUtc - offsetAt(midnightUtc, timeZone);
  for (const candidate of [guess, midnightUtc - offsetAt(guess, timeZone)]) {
    if (startsDay(candidate, day, timeZone)) return new Date(candidate);
  }
  let before = midnightUtc - SEARCH_MS; // local day < day
  let from = midnightUtc + SEARCH_MS; // local day ≥ day
  while (from - before > 1) {
    const mid = Math.floor((before + from) / 2);
    if (localDay(mid, timeZone) >= day) from = mid;
    else before = mid;
  }
  return new Date(from);
}
