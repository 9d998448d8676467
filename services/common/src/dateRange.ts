import type { ErrorDetail } from './errors';
import { validationFailed } from './errors';

/**
 * Stays as calendar days (API.md, Conventions): `checkIn..checkOut` occupies the nights from
 * `checkIn` up to, not including, `checkOut` (half-open), so back-to-back stays do not overlap.
 * Pure: no I/O, no clock (callers pass `now`).
 */
export const MAX_NIGHTS = 90;
/** A stay's checkIn is today (UTC) or later and at most this many days ahead (API.md, Conventions). */
export const MAX_DAYS_AHEAD = 500;

export interface DateRange {
  checkIn: string;
  checkOut: string;
}

const DAY_MS = 86_400_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for a real calendar day `YYYY-MM-DD`, or undefined (2026-02-30 is not a day). */
export function dayNumber(day: string): number | undefined {
  const match = DAY.exec(day);
  if (!match) return undefined;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, date);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== date) return undefined;
  return ms / DAY_MS;
}

/** The calendar day `n` days after `day` (negative goes back). */
export function addDays(day: string, n: number): string {
  const base = dayNumber(day);
  if (base === undefined) throw new RangeError(`not a calendar day: ${day}`);
  return new Date((base + n) * DAY_MS).toISOString().slice(0, 10);
}

/** Today's calendar day in UTC. */
export const todayUtc = (now: Date): string => now.toISOString().slice(0, 10);

/** Nights of a valid range (checkOut - checkIn in days). */
export function nightsOf(range: DateRange): number {
  const from = dayNumber(range.checkIn);
  const to = dayNumber(range.checkOut);
  if (from === undefined || to === undefined) throw new RangeError(`not a stay: ${range.checkIn}..${range.checkOut}`);
  return to - from;
}

/** What is wrong with a stay, per field (empty when it is valid): real days, checkOut after checkIn, ≤ maxNights. */
export function rangeProblems(range: DateRange, maxNights = MAX_NIGHTS): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const from = dayNumber(range.checkIn);
  const to = dayNumber(range.checkOut);
  if (from === undefined) problems.push({ field: 'checkIn', reason: 'must be a calendar day YYYY-MM-DD' });
  if (to === undefined) problems.push({ field: 'checkOut', reason: 'must be a calendar day YYYY-MM-DD' });
  if (from === undefined || to === undefined) return problems;
  if (to <= from) problems.push({ field: 'checkOut', reason: 'must be after checkIn' });
  else if (to - from > maxNights) problems.push({ field: 'checkOut', reason: `a stay is at most ${maxNights} nights` });
  return problems;
}

/** Returns the number of nights, or throws 400 VALIDATION_FAILED naming the field. */
export function assertValidRange(range: DateRange, maxNights = MAX_NIGHTS): number {
  const problems = rangeProblems(range, maxNights);
  if (problems.length > 0) throw validationFailed(problems, 'The dates are not a valid stay.');
  return nightsOf(range);
}

/**
 * What is wrong with a stay a guest asks for (`POST /reservations`, `GET …/availability`): the
 * problems of `rangeProblems`, and `checkIn` from today (UTC, of `now`) to MAX_DAYS_AHEAD days ahead.
 * Stays that already exist (holds, events) are checked with `rangeProblems` alone: they may lie in the past.
 */
export function stayProblems(range: DateRange, now: Date): ErrorDetail[] {
  const problems = rangeProblems(range);
  const from = dayNumber(range.checkIn);
  if (from === undefined) return problems;
  const today = Math.floor(now.getTime() / DAY_MS);
  if (from < today) problems.push({ field: 'checkIn', reason: 'must be today (UTC) or later' });
  else if (from - today > MAX_DAYS_AHEAD) problems.push({ field: 'checkIn', reason: `must be at most ${MAX_DAYS_AHEAD} days ahead` });
  return problems;
}

/** Returns the number of nights of a stay a guest may ask for, or throws 400 VALIDATION_FAILED naming each field. */
export function assertBookableStay(range: DateRange, now: Date): number {
  const problems = stayProblems(range, now);
  if (problems.length > 0) throw validationFailed(problems, 'The dates are not a valid stay.');
  return nightsOf(range);
}

/** Half-open overlap: [a.checkIn, a.checkOut) ∩ [b.checkIn, b.checkOut) ≠ ∅. Days compare as strings. */
export const rangesOverlap = (a: DateRange, b: DateRange): boolean => a.checkIn < b.checkOut && b.checkIn < a.checkOut;
