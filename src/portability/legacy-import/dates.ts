import { RowRejected, type Adjustments } from './values.js';

/**
 * Dates as the old bot may have stored them, turned into one canonical form:
 * `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds — PostgreSQL's precision, so the text
 * sent is exactly what is stored and read back).
 *
 * Accepted (see docs/PORTABILITY.md):
 * - SQL / ISO 8601: `2023-05-01 14:03:09.123456`, `2023-05-01T14:03:09Z`, `…+03:00`, `2023-05-01`
 * - `2023/05/01 14:03`
 * - day first: `01.05.2023 14:03`, `01/05/2023`; `05/31/2023` is month first because 31 > 12;
 *   when both could be the month, day first wins (the old bot ran in Türkiye)
 * - Unix time as a number or digits: seconds (with or without a fraction), milliseconds,
 *   microseconds, told apart by magnitude; SQLite `julianday()` reals
 * - RFC 2822 / JavaScript's `Date` text, only when it names its zone
 * A text without a zone is wall-clock time in `zone` (the old server's; default UTC).
 * `0`, empty strings and "None"/"null" mean no date.
 */
export function legacyTimestamp(value: unknown, field: string, zone: string, adjust: Adjustments): string | null {
  const parsed = parse(value, zone);
  if (parsed === null) return null;
  if (typeof parsed === 'string') {
    adjust.note(field, `${parsed}: left empty`);
    return null;
  }
  return parsed.iso;
}

/** Like {@link legacyTimestamp}, for a field the row cannot do without. */
export function requiredTimestamp(value: unknown, field: string, zone: string): string {
  const parsed = parse(value, zone);
  if (parsed === null) throw new RowRejected(`${field} is empty`);
  if (typeof parsed === 'string') throw new RowRejected(`${field}: ${parsed}`);
  return parsed.iso;
}

/** Years outside this range are certainly not when a Telegram bot saw someone. */
const earliestYear = 2000;
const latestYear = 2100;

/** null: no date; a string: why the value is not a date. */
function parse(value: unknown, zone: string): { iso: string } | string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return fromEpoch(value);
  if (typeof value === 'number') return Number.isFinite(value) ? fromNumber(value) : 'not a date';
  const text = (Buffer.isBuffer(value) ? value.toString('utf8') : String(value)).trim();
  if (/^(|0|none|null|nil|undefined|0000-00-00( 00:00:00)?)$/i.test(text)) return null;
  if (/^[+-]?\d+$/.test(text)) return fromEpoch(BigInt(text));
  if (/^[+-]?\d+\.\d+$/.test(text)) return fromNumber(Number(text));
  return fromText(text, zone);
}

function fromNumber(n: number): { iso: string } | string | null {
  // julianday(): days since 4714 BC, 2440587.5 being the Unix epoch. As Unix seconds these
  // values would fall in January 1970, so the ranges cannot be confused.
  if (n >= 2_400_000 && n < 2_600_000) return fromEpochMicros(BigInt(Math.round((n - 2_440_587.5) * 86_400 * 1e6)));
  if (Number.isInteger(n)) return fromEpoch(BigInt(n));
  return fromEpochMicros(BigInt(Math.round(n * 1e6)));
}

/** Seconds, milliseconds or microseconds since 1970, told apart by size. */
function fromEpoch(n: bigint): { iso: string } | string | null {
  if (n === 0n) return null;
  if (n >= 2_400_000n && n < 2_600_000n) return fromNumber(Number(n)); // a whole julian day
  const size = n < 0n ? -n : n;
  if (size < 100_000_000_000n) return fromEpochMicros(n * 1_000_000n);
  if (size < 100_000_000_000_000n) return fromEpochMicros(n * 1_000n);
  if (size < 100_000_000_000_000_000n) return fromEpochMicros(n);
  return 'not a date (number too large for a Unix time)';
}

function fromEpochMicros(micros: bigint): { iso: string } | string {
  const seconds = micros / 1_000_000n - (micros % 1_000_000n < 0n ? 1n : 0n);
  const fraction = micros - seconds * 1_000_000n;
  return format(Number(seconds) * 1000, Number(fraction));
}

const isoLike = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const slashYearFirst = /^(\d{4})\/(\d{1,2})\/(\d{1,2})(?:[T ,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const dayOrMonthFirst = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?:[T ,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;

function fromText(text: string, zone: string): { iso: string } | string {
  let m = isoLike.exec(text) ?? slashYearFirst.exec(text);
  if (m) return fromFields({ year: m[1]!, month: m[2]!, day: m[3]!, hour: m[4], minute: m[5], second: m[6], fraction: m[7], offset: m[8] }, zone);
  m = dayOrMonthFirst.exec(text);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[3])];
    const monthFirst = m[2] !== '.' && b > 12 && a <= 12;
    return fromFields({
      year: m[4]!, month: monthFirst ? m[1]! : m[3]!, day: monthFirst ? m[3]! : m[1]!,
      hour: m[5], minute: m[6], second: m[7], fraction: m[8], offset: m[9],
    }, zone);
  }
  // Written-out forms ("Tue, 02 May 2023 14:03:09 +0300"): only with a zone, as Date would
  // otherwise read them in this server's zone, not the old one's.
  if (/[a-z]{3}/i.test(text) && /(GMT|UTC|Z|[+-]\d{4})\b/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return fromEpochMicros(BigInt(ms) * 1000n);
  }
  return 'not a recognised date format';
}

interface Fields {
  year: string; month: string; day: string;
  hour?: string; minute?: string; second?: string; fraction?: string; offset?: string;
}

function fromFields(f: Fields, zone: string): { iso: string } | string {
  const [year, month, day] = [Number(f.year), Number(f.month), Number(f.day)];
  const [hour, minute, second] = [Number(f.hour ?? 0), Number(f.minute ?? 0), Number(f.second ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return 'not a calendar date';
  if (hour > 23 || minute > 59 || second > 59) return 'not a time of day';
  // Beyond microseconds PostgreSQL would round; truncating here keeps text and storage equal.
  const micros = Number((f.fraction ?? '').slice(0, 6).padEnd(6, '0'));
  const wallClock = Date.UTC(year, month - 1, day, hour, minute, second);
  const offset = f.offset ? explicitOffsetMs(f.offset) : zoneOffsetMs(wallClock, zone);
  if (offset === undefined) return 'not a UTC offset (beyond ±14:00)';
  return format(wallClock - offset, micros);
}

/** Real offsets run from −12:00 to +14:00; `+25:00` is a typo or garbage, not a zone. */
const maxOffsetMinutes = 14 * 60;

/** The offset in milliseconds, or undefined when no zone on Earth has it. */
function explicitOffsetMs(text: string): number | undefined {
  if (/^(Z|UTC|GMT)$/i.test(text)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(text)!;
  const [hours, minutes] = [Number(m[2]), Number(m[3] ?? 0)];
  if (minutes > 59 || hours * 60 + minutes > maxOffsetMinutes) return undefined;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * How far `zone` is ahead of UTC at the wall-clock time `wallClockMs` (read as if it were
 * UTC). Evaluated twice, so a time right after a DST change gets the offset in force then.
 */
function zoneOffsetMs(wallClockMs: number, zone: string): number {
  if (zone === 'UTC') return 0;
  const first = offsetAt(wallClockMs, zone);
  return offsetAt(wallClockMs - first, zone);
}

function offsetAt(instantMs: number, zone: string): number {
  let formatter = zoneFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    zoneFormatters.set(zone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(new Date(instantMs)).map((p) => [p.type, Number(p.value)]));
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/** The canonical text, if the instant is a plausible date. */
function format(epochMs: number, micros: number): { iso: string } | string {
  const date = new Date(epochMs);
  const year = date.getUTCFullYear();
  if (!Number.isFinite(year) || year < earliestYear || year > latestYear) {
    return Number.isFinite(year) ? `date out of range (year ${year})` : 'not a date';
  }
  return { iso: `${date.toISOString().slice(0, 19)}.${String(micros).padStart(6, '0')}Z` };
}
