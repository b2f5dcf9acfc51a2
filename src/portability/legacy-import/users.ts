import { legacyTimestamp } from './dates.js';
import { batchJson, sqlTime, writeKeyed, type Canonical, type LegacyTarget } from './target.js';
import { RowRejected, type Adjustments, legacyBoolean, legacyCount, legacyInteger, legacyOptionalText, legacyText, limitLength, limitedUsername, telegramLimits } from './values.js';

/** A person the old bot met, as a `tg_users` row. */
export interface UserRow {
  userId: bigint;
  username: string | null;
  firstName: string;
  lastName: string | null;
  languageCode: string | null;
  isBot: boolean;
  firstSeenAt: string;
  lastSeenAt: string;
  messageCount: number;
}

/** The batch parameter as rows. */
const input = `json_to_recordset($1::json) AS i(ord int, "userId" bigint, username text, "firstName" text, "lastName" text,
  "languageCode" text, "isBot" boolean, "firstSeenAt" timestamptz, "lastSeenAt" timestamptz, "messageCount" int)`;

/** Columns as PostgreSQL reports them, in the order of {@link UserRow}'s canonical form. */
const storedColumns = `json_build_array(t.user_id::text, t.username, t.first_name, t.last_name, t.language_code,
  t.is_bot::text, ${sqlTime('t.first_seen_at')}, ${sqlTime('t.last_seen_at')}, t.message_count::text)`;

/**
 * Legacy users → `tg_users`. The old bot's `users(user_id INTEGER PRIMARY KEY, username,
 * first_name, last_name, first_seen, last_seen)` and its look-alikes. A user already in
 * Kovan (the bot met them since) keeps what Kovan knows; the import only fills gaps and
 * widens the first/last seen span, so a re-run changes nothing.
 */
export const usersTarget: LegacyTarget<UserRow> = {
  name: 'users',
  kovanTable: 'tg_users',
  tableNames: /^(tg_?|telegram_|bot_)?(users?|members?|subscribers?|customers?|clients?|people|persons?|audience|contacts?)$/,
  fields: [
    { name: 'user_id', aliases: ['user_id', 'userid', 'telegram_id', 'tg_id', 'tg_user_id', 'telegram_user_id', 'uid', 'chat_id', 'id'], required: true },
    { name: 'username', aliases: ['username', 'user_name', 'tg_username', 'telegram_username', 'nick', 'nickname', 'handle'] },
    { name: 'first_name', aliases: ['first_name', 'firstname', 'fname', 'given_name', 'name', 'full_name'] },
    { name: 'last_name', aliases: ['last_name', 'lastname', 'lname', 'surname', 'family_name'] },
    { name: 'language_code', aliases: ['language_code', 'lang_code', 'language', 'lang', 'locale'] },
    { name: 'is_bot', aliases: ['is_bot', 'bot'] },
    { name: 'first_seen', aliases: ['first_seen', 'first_seen_at', 'created_at', 'created', 'joined_at', 'join_date', 'joined', 'registered_at', 'registration_date', 'date_joined', 'start_date', 'started_at'] },
    { name: 'last_seen', aliases: ['last_seen', 'last_seen_at', 'last_active', 'last_active_at', 'last_activity', 'last_message_at', 'seen_at', 'updated_at', 'updated'] },
    { name: 'message_count', aliases: ['message_count', 'messages_count', 'msg_count', 'messages', 'count'] },
  ],
  needsBot: false,
  dedupe: 'sorted',
  // CAST puts 42 and '42' side by side, whatever type SQLite stored each one with.
  orderBy: (column) => `CAST(${column('user_id')} AS INTEGER)`,

  normalize(v, adjust, context) {
    const userId = legacyInteger(v.user_id, 'user_id', adjust, { required: true })!;
    if (userId <= 0n) throw new RowRejected('user_id is not a Telegram user id (zero or negative: a group?)');
    const username = limitedUsername(v.username, adjust);
    let firstSeen = legacyTimestamp(v.first_seen, 'first_seen', context.sourceZone, adjust);
    let lastSeen = legacyTimestamp(v.last_seen, 'last_seen', context.sourceZone, adjust);
    if (!firstSeen && !lastSeen) {
      adjust.note('first_seen', 'no date: set to 2000-01-01 (unknown)');
      firstSeen = lastSeen = UnknownDate;
    }
    firstSeen ??= lastSeen!;
    lastSeen ??= firstSeen;
    if (firstSeen > lastSeen) {
      adjust.note('last_seen', 'earlier than first_seen: swapped');
      [firstSeen, lastSeen] = [lastSeen, firstSeen];
    }
    return {
      userId,
      username,
      firstName: limitLength(legacyText(v.first_name, 'first_name', adjust) ?? '', telegramLimits.firstName, 'first_name', adjust),
      lastName: optionalLimited(legacyOptionalText(v.last_name, 'last_name', adjust), telegramLimits.lastName, 'last_name', adjust),
      languageCode: optionalLimited(legacyOptionalText(v.language_code, 'language_code', adjust)?.trim() || null, telegramLimits.languageCode, 'language_code', adjust),
      isBot: legacyBoolean(v.is_bot, 'is_bot', adjust) ?? false,
      firstSeenAt: firstSeen,
      lastSeenAt: lastSeen,
      messageCount: legacyCount(v.message_count, 'message_count', adjust) ?? 0,
    };
  },

  key: (row) => row.userId.toString(),

  /** The same person twice: the widest seen span, the latest names, the larger count. */
  merge(kept, dup) {
    const newer = dup.lastSeenAt >= kept.lastSeenAt ? dup : kept;
    const older = newer === dup ? kept : dup;
    return {
      userId: kept.userId,
      username: newer.username ?? older.username,
      firstName: newer.firstName || older.firstName,
      lastName: newer.lastName ?? older.lastName,
      languageCode: newer.languageCode ?? older.languageCode,
      isBot: kept.isBot || dup.isBot,
      firstSeenAt: earliestKnown(kept.firstSeenAt, dup.firstSeenAt),
      lastSeenAt: newer.lastSeenAt,
      messageCount: Math.max(kept.messageCount, dup.messageCount),
    };
  },
  duplicateReason: 'duplicate user_id: merged into one user',

  canonical: (r): Canonical => [r.userId.toString(), r.username, r.firstName, r.lastName, r.languageCode, String(r.isBot), r.firstSeenAt, r.lastSeenAt, String(r.messageCount)],

  async write({ tx }, rows) {
    return writeKeyed(tx, {
      rows: rows.map(usersTarget.canonical), json: batchJson(rows), keyOf: (row) => row[0]!,
      existing: { sql: `SELECT ${storedColumns} AS row FROM ${input} JOIN tg_users t ON t.user_id = i."userId"`, params: [] },
      upsert: { params: [tx.tenantId], sql: `INSERT INTO tg_users AS t (tenant_id, user_id, username, first_name, last_name, language_code, is_bot, first_seen_at, last_seen_at, message_count)
        SELECT $2, "userId", username, "firstName", "lastName", "languageCode", "isBot", "firstSeenAt", "lastSeenAt", "messageCount" FROM ${input}
        ON CONFLICT (tenant_id, user_id) DO UPDATE SET
          username = coalesce(t.username, excluded.username),
          first_name = CASE WHEN t.first_name = '' THEN excluded.first_name ELSE t.first_name END,
          last_name = coalesce(t.last_name, excluded.last_name),
          language_code = coalesce(t.language_code, excluded.language_code),
          first_seen_at = CASE WHEN excluded.first_seen_at = ${unknown} THEN t.first_seen_at
            WHEN t.first_seen_at = ${unknown} THEN excluded.first_seen_at ELSE least(t.first_seen_at, excluded.first_seen_at) END,
          last_seen_at = greatest(t.last_seen_at, excluded.last_seen_at),
          message_count = greatest(t.message_count, excluded.message_count)
        WHERE (t.username IS NULL AND excluded.username IS NOT NULL) OR (t.first_name = '' AND excluded.first_name <> '')
           OR (t.last_name IS NULL AND excluded.last_name IS NOT NULL) OR (t.language_code IS NULL AND excluded.language_code IS NOT NULL)
           OR (excluded.first_seen_at <> ${unknown} AND (t.first_seen_at = ${unknown} OR excluded.first_seen_at < t.first_seen_at))
           OR excluded.last_seen_at > t.last_seen_at OR excluded.message_count > t.message_count
        RETURNING ${storedColumns} AS row` },
    });
  },
};

/** First/last seen when the legacy row has no date at all: clearly not a real sighting. */
const UnknownDate = '2000-01-01T00:00:00.000000Z';
/** The same in SQL: never taken over a real first-seen date, always replaced by one. */
const unknown = `'${UnknownDate}'::timestamptz`;

/** The earlier of two first-seen dates, where "no date" (the placeholder) never beats a real one. */
function earliestKnown(a: string, b: string): string {
  if (a === UnknownDate) return b;
  if (b === UnknownDate) return a;
  return a < b ? a : b;
}

function optionalLimited(text: string | null, max: number, field: string, adjust: Adjustments): string | null {
  return text === null ? null : limitLength(text, max, field, adjust);
}
