import { z } from 'zod';
import { fieldError } from '../platform/errors.js';
import { Day } from '../platform/time.js';

/**
 * Date parameters (`start_date`, `end_date`) as every route takes them: ISO-8601, either a
 * day (`2025-03-01`, a day in the tenant's time zone) or an instant with its offset
 * (`2025-03-01T12:00:00Z`, `…+03:00`). Ranges are checked the same way everywhere:
 * start ≤ end and at most a bounded number of days; a bad value is a 400 naming the field.
 */
const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const instantPattern = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,6})?)?(Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)$/;

function isRealDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function isValidIsoDate(text: string): boolean {
  const match = dayPattern.exec(text) ?? instantPattern.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return year >= 2000 && year <= 2100 && isRealDay(year, month, day) && !Number.isNaN(Date.parse(text));
}

/** A `start_date` / `end_date` query value. */
export const isoDateParam = z.string().max(40)
  .refine(isValidIsoDate, 'expected ISO-8601: YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS with Z or an offset (years 2000–2100)');

/** The query fields of a date-ranged route. */
export const dateRangeQuery = { start_date: isoDateParam.optional(), end_date: isoDateParam.optional() };

export interface RangeInput {
  start_date?: string;
  end_date?: string;
}

export interface RangeOptions {
  timeZone: string;
  /** Length of the range when `start_date` is omitted. */
  defaultDays: number;
  /** Longest range accepted, in days. */
  maxDays: number;
  now?: Date;
}

/** Instants: rows with `from ≤ at < to`. */
export interface InstantRange {
  from: Date;
  to: Date;
}

/** Tenant-local days, both inclusive. */
export interface DayRange {
  startDay: string;
  endDay: string;
  days: number;
}

/** The local calendar day of an instant in a time zone, as YYYY-MM-DD. */
export function localDayOf(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** `day` moved by `n` days (calendar arithmetic, no time zone involved). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / Day);
}

/** Offset of `timeZone` from UTC at `at`, in ms. */
function zoneOffset(at: Date, timeZone: string): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(at).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant a local day starts in a time zone (DST-aware). */
export function startOfLocalDay(day: string, timeZone: string): Date {
  const guess = Date.parse(`${day}T00:00:00Z`);
  let at = guess - zoneOffset(new Date(guess), timeZone);
  at = guess - zoneOffset(new Date(at), timeZone);
  return new Date(at);
}

const isDay = (text: string) => dayPattern.test(text);

/**
 * Resolves `start_date` / `end_date` to instants. A day means the whole day in the tenant's
 * zone (an end day is included); an instant is taken as given (an end instant is included).
 * Missing end: now; missing start: `defaultDays` before the end.
 */
export function instantRange(input: RangeInput, options: RangeOptions): InstantRange {
  const now = options.now ?? new Date();
  const to = input.end_date === undefined ? now
    : isDay(input.end_date) ? startOfLocalDay(addDays(input.end_date, 1), options.timeZone)
      : new Date(Date.parse(input.end_date) + 1);
  const from = input.start_date === undefined ? new Date(to.getTime() - options.defaultDays * Day)
    : isDay(input.start_date) ? startOfLocalDay(input.start_date, options.timeZone)
      : new Date(Date.parse(input.start_date));
  if (from.getTime() >= to.getTime()) {
    throw fieldError(input.end_date !== undefined ? 'end_date' : 'start_date', 'must not be before start_date (and the range must not be empty)');
  }
  if (to.getTime() - from.getTime() > options.maxDays * Day + 2 * 60 * 60 * 1000) {
    throw fieldError('start_date', `the range may span at most ${options.maxDays} days`);
  }
  return { from, to };
}

/**
 * Resolves `start_date` / `end_date` to tenant-local days, both included (instants are
 * reduced to their local day). Missing end: today; missing start: `defaultDays` days
 * ending with the end day.
 */
export function dayRange(input: RangeInput, options: RangeOptions): DayRange {
  const now = options.now ?? new Date();
  const toDay = (text: string) => (isDay(text) ? text : localDayOf(new Date(Date.parse(text)), options.timeZone));
  const endDay = input.end_date === undefined ? localDayOf(now, options.timeZone) : toDay(input.end_date);
  const startDay = input.start_date === undefined ? addDays(endDay, -(options.defaultDays - 1)) : toDay(input.start_date);
  const days = daysBetween(startDay, endDay) + 1;
  if (days < 1) throw fieldError(input.end_date !== undefined ? 'end_date' : 'start_date', 'must not be before start_date');
  if (days > options.maxDays) throw fieldError('start_date', `the range may span at most ${options.maxDays} days`);
  return { startDay, endDay, days };
}
