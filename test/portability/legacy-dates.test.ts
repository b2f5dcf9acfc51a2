import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { legacyTimestamp, requiredTimestamp } from '../../src/portability/legacy-import/dates.js';
import { RowRejected, legacyInteger, legacyText, limitLength } from '../../src/portability/legacy-import/values.js';

function read(value: unknown, zone = 'UTC') {
  const notes: string[] = [];
  const iso = legacyTimestamp(value, 'at', zone, { note: (_f, what) => notes.push(what) });
  return { iso, notes };
}

test('text dates in the formats old bots wrote, all to one canonical UTC form with microseconds', () => {
  const cases: Array<[unknown, string]> = [
    ['2023-05-01 14:03:09.123456', '2023-05-01T14:03:09.123456Z'],  // Python str(datetime)
    ['2023-05-01 14:03:09.123456789', '2023-05-01T14:03:09.123456Z'], // beyond microseconds: truncated, not rounded
    ['2023-05-01T14:03:09Z', '2023-05-01T14:03:09.000000Z'],
    ['2023-05-01T14:03:09+03:00', '2023-05-01T11:03:09.000000Z'],
    ['2023-05-01T14:03:09-0130', '2023-05-01T15:33:09.000000Z'],
    ['2023-05-01T14:03:09+14:00', '2023-05-01T00:03:09.000000Z'],                 // Kiribati: the furthest real offset
    ['2023-05-01', '2023-05-01T00:00:00.000000Z'],
    ['2023/05/01 14:03', '2023-05-01T14:03:00.000000Z'],
    ['01.05.2023 14:03', '2023-05-01T14:03:00.000000Z'],             // day first (dots)
    ['01/05/2023', '2023-05-01T00:00:00.000000Z'],                   // ambiguous: day first
    ['05/31/2023', '2023-05-31T00:00:00.000000Z'],                   // 31 cannot be a month
    ['Tue, 02 May 2023 14:03:09 +0300', '2023-05-02T11:03:09.000000Z'],
  ];
  for (const [value, expected] of cases) assert.equal(read(value).iso, expected, String(value));
});

test('Unix times in seconds, milliseconds, microseconds and fractions, and SQLite julian days', () => {
  const cases: Array<[unknown, string]> = [
    [1682949789, '2023-05-01T14:03:09.000000Z'],
    [1682949789n, '2023-05-01T14:03:09.000000Z'],
    ['1682949789', '2023-05-01T14:03:09.000000Z'],
    [1682949789123n, '2023-05-01T14:03:09.123000Z'],
    ['1682949789123456', '2023-05-01T14:03:09.123456Z'],
    [1682949789.5, '2023-05-01T14:03:09.500000Z'],
    ['1682949789.25', '2023-05-01T14:03:09.250000Z'],
    [2460066.5, '2023-05-02T00:00:00.000000Z'],
  ];
  for (const [value, expected] of cases) assert.equal(read(value).iso, expected, String(value));
});

test("zone-less dates are the old server's wall-clock time, daylight saving included", () => {
  assert.equal(read('2023-05-01 14:03:09', 'Europe/Istanbul').iso, '2023-05-01T11:03:09.000000Z');
  assert.equal(read('2023-01-15 12:00', 'Europe/Berlin').iso, '2023-01-15T11:00:00.000000Z');
  assert.equal(read('2023-07-15 12:00', 'Europe/Berlin').iso, '2023-07-15T10:00:00.000000Z');
  assert.equal(read('2023-03-26 03:30:00', 'Europe/Berlin').iso, '2023-03-26T01:30:00.000000Z');
  assert.equal(read('2023-05-01T14:03:09Z', 'Europe/Istanbul').iso, '2023-05-01T14:03:09.000000Z', 'an explicit zone wins');
  assert.equal(read(1682949789, 'Asia/Tokyo').iso, '2023-05-01T14:03:09.000000Z', 'Unix time has no zone');
});

test('no date, and dates that are not dates: empty, noted, never a crash', () => {
  for (const empty of [null, undefined, '', '   ', 0, '0', 'None', 'null', '0000-00-00 00:00:00']) {
    assert.deepEqual(read(empty), { iso: null, notes: [] }, String(empty));
  }
  for (const [value, why] of [
    ['yesterday', /not a recognised date format/], ['2023-02-30', /not a calendar date/], ['2023-05-01 25:00', /not a recognised|not a time/],
    ['1850-01-01', /out of range/], ['2023-05-01T14:03:09+25:00', /not a UTC offset/], ['2023-05-01 14:03:09 -1500', /not a UTC offset/],
    ['2023-05-01T14:03:09+03:75', /not a UTC offset/], [99999999999999999999n, /too large/], [-5, /out of range/], ['01.05.2023 14:03 Europe', /not a recognised/],
  ] as const) {
    const { iso, notes } = read(value);
    assert.equal(iso, null, String(value));
    assert.match(notes[0]!, why);
  }
  assert.throws(() => requiredTimestamp('', 'date', 'UTC'), (e: unknown) => e instanceof RowRejected && e.reason === 'date is empty');
  assert.throws(() => requiredTimestamp('soon', 'date', 'UTC'), (e: unknown) => e instanceof RowRejected && /date: not a recognised/.test(e.reason));
});

test('ids keep every digit beyond 2^53; text is repaired, never rejected', () => {
  const notes: string[] = [];
  const adjust = { note: (_f: string, what: string) => notes.push(what) };
  assert.equal(legacyInteger('9007199254740993', 'id', adjust, { required: true }), 9007199254740993n);
  assert.equal(legacyInteger(' 42 ', 'id', adjust, { required: true }), 42n);
  assert.equal(legacyInteger(42.0, 'id', adjust, { required: true }), 42n);
  assert.throws(() => legacyInteger('42.5', 'id', adjust, { required: true }), RowRejected);
  assert.throws(() => legacyInteger('9223372036854775808', 'id', adjust, { required: true }), RowRejected);
  assert.equal(legacyText('a\u0000b', 'name', adjust), 'ab');
  assert.equal(legacyText('x\uD800y', 'name', adjust), 'x\uFFFDy');
  assert.equal(legacyText('👩‍👩‍👧 مرحبا', 'name', adjust), '👩‍👩‍👧 مرحبا');
  assert.deepEqual(notes, ['NUL characters removed', 'broken Unicode replaced with U+FFFD']);
});

test('limitLength keeps the first max characters, never half an emoji, and notes exactly when it cuts', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.integer({ min: 0, max: 40 }), (text, max) => {
    const notes: string[] = [];
    const cut = limitLength(text, max, 'f', { note: (_f, what) => notes.push(what) });
    const chars = [...text];
    assert.equal(cut, chars.slice(0, max).join(''));
    assert.ok(!/[\uD800-\uDBFF]$/.test(cut), 'no lone high surrogate at the end');
    assert.equal(notes.length, chars.length > max ? 1 : 0);
  }));
});

test('explicit offsets: every one within ±14:00 (the furthest real zones) is applied, anything beyond is no date', () => {
  fc.assert(fc.property(fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }).filter((m) => m % 15 === 0), (minutes) => {
    const sign = minutes < 0 ? '-' : '+';
    const abs = Math.abs(minutes);
    const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    const { iso } = read(`2023-05-01T12:00:00${offset}`);
    if (abs > 14 * 60) assert.equal(iso, null, offset);
    else assert.equal(Date.parse(iso!), Date.UTC(2023, 4, 1, 12) - minutes * 60_000, offset);
  }));
});
