/**
 * Normalisers for values read from the old bot's SQLite file, where any column may hold
 * any type (SQLite's dynamic typing): NULLs, empty strings, numbers stored as text, BLOBs
 * where text was meant. Each returns the Kovan value or `null` for "no value", reports what
 * it had to change through {@link Adjustments}, and throws {@link RowRejected} when the row
 * cannot be imported at all. Reasons are fixed strings, so the report can count them.
 */

/** Thrown by a normaliser: the row is skipped with this reason. */
export class RowRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Collects what normalisation changed, per field, for the report. */
export interface Adjustments {
  note(field: string, what: string): void;
}

/** Words old code wrote where it meant "no value" (Python's `str(None)`, JSON's null). */
const emptyWords = new Set(['', 'none', 'null', 'nil', 'undefined', 'nan']);

/** Half of a surrogate pair without its other half: invalid UTF-16 that PostgreSQL's JSON rejects. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const loneSurrogates = new RegExp(loneSurrogate.source, 'g');

/** Text, or null. NUL characters (which PostgreSQL text cannot hold) and broken UTF-16 are repaired and noted. */
export function legacyText(value: unknown, field: string, adjust: Adjustments): string | null {
  if (value === null || value === undefined) return null;
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'bigint') text = String(value);
  else if (Buffer.isBuffer(value)) {
    text = value.toString('utf8');
    adjust.note(field, 'binary value read as UTF-8 text');
  } else text = String(value);
  if (text.includes('\u0000')) {
    text = text.replaceAll('\u0000', '');
    adjust.note(field, 'NUL characters removed');
  }
  if (loneSurrogate.test(text)) {
    text = text.replace(loneSurrogates, '\uFFFD');
    adjust.note(field, 'broken Unicode replaced with U+FFFD');
  }
  return text;
}

/** Text that is absent when empty or one of the "no value" words. */
export function legacyOptionalText(value: unknown, field: string, adjust: Adjustments): string | null {
  const text = legacyText(value, field, adjust);
  if (text === null) return null;
  return emptyWords.has(text.trim().toLowerCase()) ? null : text;
}

const int64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

/**
 * A 64-bit integer (Telegram ids exceed 2^31, some exceed 2^53: kept as bigint end to end).
 * Accepts integers, integral reals (`123.0`) and decimal text; anything else rejects the row
 * when `required` or `rejectInvalid`, or is dropped (noted) otherwise.
 */
export function legacyInteger(value: unknown, field: string, adjust: Adjustments, options: { required: boolean; rejectInvalid?: boolean }): bigint | null {
  const parsed = parseInteger(value);
  if (parsed === null) {
    if (options.required) throw new RowRejected(`${field} is empty`);
    return null;
  }
  if (parsed === undefined || parsed < int64.min || parsed > int64.max) {
    // `rejectInvalid`: an empty value may be filled in from elsewhere, a wrong one may not be guessed around.
    if (options.required || options.rejectInvalid) throw new RowRejected(`${field} is not an integer`);
    adjust.note(field, 'not an integer: left empty');
    return null;
  }
  return parsed;
}

/** null: no value; undefined: a value that is not an integer. */
function parseInteger(value: unknown): bigint | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string') {
    const text = value.trim();
    if (emptyWords.has(text.toLowerCase())) return null;
    const match = /^([+-]?\d+)(?:\.0*)?$/.exec(text);
    return match ? BigInt(match[1]!) : undefined;
  }
  return undefined;
}

/** A non-negative count that fits PostgreSQL's integer; larger values are capped (noted). */
export function legacyCount(value: unknown, field: string, adjust: Adjustments): number | null {
  const n = legacyInteger(value, field, adjust, { required: false });
  if (n === null) return null;
  if (n < 0n) {
    adjust.note(field, 'negative: set to 0');
    return 0;
  }
  if (n > 2_147_483_647n) {
    adjust.note(field, 'too large: capped at 2147483647');
    return 2_147_483_647;
  }
  return Number(n);
}

const truthy = new Set(['1', 'true', 't', 'yes', 'y', 'on', 'enabled', 'active']);
const falsy = new Set(['0', 'false', 'f', 'no', 'n', 'off', 'disabled', 'inactive']);

/** A boolean from the many ways old code wrote one; unreadable values are dropped (noted). */
export function legacyBoolean(value: unknown, field: string, adjust: Adjustments): boolean | null {
  if (value === null || value === undefined) return null;
  const text = (Buffer.isBuffer(value) ? value.toString('utf8') : String(value)).trim().toLowerCase();
  if (emptyWords.has(text)) return null;
  if (truthy.has(text)) return true;
  if (falsy.has(text)) return false;
  adjust.note(field, 'not a yes/no value: left empty');
  return null;
}

/**
 * Telegram's own limits (Bot API): no real value is longer, so a longer legacy value is
 * garbage or an attack (a 5,000,000-character name) and is cut, with a note in the report.
 */
export const telegramLimits = {
  firstName: 64,
  lastName: 64,
  /** Usernames are 5–32 characters. */
  username: 32,
  /** IETF language tags as Telegram sends them are short; 35 is BCP 47's practical maximum. */
  languageCode: 35,
  chatTitle: 128,
  messageText: 4096,
} as const;

/** The first `max` characters (code points, so an emoji is never cut in half), noted when cut. */
export function limitLength(text: string, max: number, field: string, adjust: Adjustments): string {
  if (text.length <= max) return text; // UTF-16 units ≥ code points: surely short enough
  // Walks at most `max + 1` code points: a 3 MB value is never split into millions of strings.
  let end = 0;
  let count = 0;
  for (const char of text) {
    if (count === max) {
      adjust.note(field, `longer than ${max} characters: shortened`);
      return text.slice(0, end);
    }
    end += char.length;
    count++;
  }
  return text;
}

/** JSON with object keys sorted, so two equal values always serialise alike (jsonb reorders keys). */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A Telegram username without its `@`, at most {@link telegramLimits}.username characters, or null. */
export function limitedUsername(value: unknown, adjust: Adjustments): string | null {
  const username = legacyOptionalText(value, 'username', adjust)?.trim().replace(/^@/, '');
  return username ? limitLength(username, telegramLimits.username, 'username', adjust) : null;
}
