import { Cron } from 'croner';

/**
 * Calendar arithmetic in a tenant's time zone. The quota day, its reset, and "finishes at
 * 14:32" all follow the tenant's zone, not the server's. Day boundaries come from croner
 * (the same parser the schedules use), so DST days are 23 or 25 hours long as they should be.
 */

const dayFormats = new Map<string, Intl.DateTimeFormat>();
const clockFormats = new Map<string, Intl.DateTimeFormat>();
const midnights = new Map<string, Cron>();

function cached<T>(cache: Map<string, T>, timeZone: string, make: () => T): T {
  let value = cache.get(timeZone);
  if (!value) {
    value = make();
    cache.set(timeZone, value);
  }
  return value;
}

/** The calendar date (`YYYY-MM-DD`) at `at` in `timeZone`. */
export function localDay(at: Date, timeZone: string): string {
  // en-CA formats dates as ISO YYYY-MM-DD.
  return cached(dayFormats, timeZone, () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })).format(at);
}

/** The first instant of the next local day after `at`: when a daily quota resets. */
export function nextLocalMidnight(at: Date, timeZone: string): Date {
  const cron = cached(midnights, timeZone, () => new Cron('0 0 * * *', { timezone: timeZone, paused: true }));
  const next = cron.nextRun(at);
  if (!next) throw new Error(`no next midnight in ${timeZone}`);
  return next;
}

/** `YYYY-MM-DD HH:MM` in `timeZone`, for messages a person reads. */
export function formatLocal(at: Date, timeZone: string): string {
  const clock = cached(clockFormats, timeZone, () => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })).format(at);
  return `${localDay(at, timeZone)} ${clock}`;
}

/** A daily local-time window, `HH:MM` to `HH:MM`; it wraps midnight when `end` is earlier than `start`. */
export interface DailyWindow {
  start: string;
  end: string;
}

const windowEnds = new Map<string, Cron>();

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours! * 60 + minutes!;
}

/**
 * If `at` falls inside the daily `window` in `timeZone`, the instant the window ends;
 * otherwise null. A window whose start equals its end is empty. The end is found by croner,
 * so an end inside a DST gap or overlap lands where the clock really shows it.
 */
export function windowEndAfter(at: Date, window: DailyWindow, timeZone: string): Date | null {
  const [start, end] = [minutesOf(window.start), minutesOf(window.end)];
  if (start === end) return null;
  const parts = cached(clockFormats, timeZone, () => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })).format(at);
  const now = minutesOf(parts);
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return null;
  const key = `${timeZone} ${window.end}`;
  const cron = cached(windowEnds, key, () => new Cron(`${end % 60} ${Math.floor(end / 60)} * * *`, { timezone: timeZone, paused: true }));
  return cron.nextRun(at);
}
