import { legacyTimestamp } from './dates.js';
import { batchJson, sqlTime, writeKeyed, type Canonical, type LegacyTarget } from './target.js';
import { RowRejected, type Adjustments, legacyBoolean, legacyCount, legacyInteger, legacyOptionalText, limitLength, limitedUsername, telegramLimits } from './values.js';

/** A group the old bot served, as a `groups` row of the tenant's bot. */
export interface GroupRow {
  chatId: bigint;
  type: 'group' | 'supergroup' | 'channel';
  title: string;
  username: string | null;
  memberCount: number | null;
  /** null: the legacy row has no date; the write gives it one (see {@link groupsTarget}). */
  addedAt: string | null;
  enabled: boolean;
}

const input = `json_to_recordset($1::json) AS i(ord int, "chatId" bigint, type text, title text, username text, "memberCount" int, "addedAt" timestamptz, enabled boolean)`;
const storedColumns = `json_build_array(g.chat_id::text, g.type, g.title, g.username, g.member_count::text, ${sqlTime('g.added_at')}, g.enabled::text)`;

/** Supergroup and channel ids are -100 followed by the channel id; basic groups are plain negatives. */
const channelIdFloor = -1_000_000_000_000n;

/**
 * Legacy groups / chats → `groups` of the tenant's bot. A group Kovan already knows keeps
 * its live title, type and status; the import only fills what is missing.
 */
export const groupsTarget: LegacyTarget<GroupRow> = {
  name: 'groups',
  kovanTable: 'groups',
  tableNames: /^(tg_?|telegram_|bot_)?(groups?|chats?|channels?|supergroups?|group_?chats?)$/,
  fields: [
    { name: 'chat_id', aliases: ['chat_id', 'chatid', 'group_id', 'groupid', 'tg_chat_id', 'telegram_chat_id', 'channel_id', 'id'], required: true },
    { name: 'title', aliases: ['title', 'chat_title', 'group_title', 'group_name', 'chat_name', 'name'] },
    { name: 'username', aliases: ['username', 'chat_username', 'group_username', 'handle'] },
    { name: 'type', aliases: ['type', 'chat_type', 'group_type', 'kind'] },
    { name: 'member_count', aliases: ['member_count', 'members_count', 'members', 'member_cnt', 'size', 'participants'] },
    { name: 'added_at', aliases: ['added_at', 'added', 'date_added', 'joined_at', 'created_at', 'created', 'first_seen'] },
    { name: 'enabled', aliases: ['enabled', 'active', 'is_active', 'is_enabled'] },
  ],
  needsBot: true,
  dedupe: 'sorted',
  orderBy: (column) => `CAST(${column('chat_id')} AS INTEGER)`,

  normalize(v, adjust, context) {
    const chatId = legacyInteger(v.chat_id, 'chat_id', adjust, { required: true })!;
    if (chatId >= 0n) throw new RowRejected('chat_id is not a group id (groups have negative ids)');
    const declared = legacyOptionalText(v.type, 'type', adjust)?.trim().toLowerCase();
    const type = declared === 'group' || declared === 'supergroup' || declared === 'channel'
      ? declared
      : chatId <= channelIdFloor ? 'supergroup' : 'group';
    const username = limitedUsername(v.username, adjust);
    let title = legacyOptionalText(v.title, 'title', adjust)?.trim();
    if (!title) {
      adjust.note('title', 'empty: named after the chat id');
      title = username ? `@${username}` : `Group ${chatId}`;
    }
    return {
      chatId,
      type,
      title: limitLength(title, telegramLimits.chatTitle, 'title', adjust),
      username,
      memberCount: legacyCount(v.member_count, 'member_count', adjust),
      addedAt: legacyTimestamp(v.added_at, 'added_at', context.sourceZone, adjust) ?? undated(adjust),
      enabled: legacyBoolean(v.enabled, 'enabled', adjust) ?? true,
    };
  },

  key: (row) => row.chatId.toString(),
  duplicateReason: 'duplicate chat_id: the first row was kept',

  canonical: (r): Canonical => [r.chatId.toString(), r.type, r.title, r.username, r.memberCount === null ? null : String(r.memberCount), r.addedAt, String(r.enabled)],

  async write({ tx, botId, importedAt }, rows) {
    // An undated group takes the date Kovan already has for it (its first import's time), or
    // this import's time: a re-run then reads exactly what the first one stored.
    const undatedIds = rows.filter((r) => r.addedAt === null).map((r) => r.chatId.toString());
    const { rows: known } = undatedIds.length === 0 ? { rows: [] } : await tx.query<{ chat_id: string; added_at: string }>(
      `SELECT chat_id::text, ${sqlTime('added_at')} AS added_at FROM groups WHERE bot_id = $1 AND chat_id = ANY($2::bigint[])`, [botId, undatedIds]);
    const knownDates = new Map(known.map((g) => [g.chat_id, g.added_at]));
    const dated = rows.map((r) => (r.addedAt !== null ? r : { ...r, addedAt: knownDates.get(r.chatId.toString()) ?? importedAt }));
    const written = await writeKeyed(tx, {
      rows: dated.map(groupsTarget.canonical), json: batchJson(dated), keyOf: (row) => row[0]!,
      existing: { sql: `SELECT ${storedColumns} AS row FROM ${input} JOIN groups g ON g.bot_id = $2 AND g.chat_id = i."chatId"`, params: [botId] },
      upsert: { params: [tx.tenantId, botId], sql: `INSERT INTO groups AS g (tenant_id, bot_id, chat_id, type, title, username, member_count, bot_status, enabled, added_at)
        SELECT $2, $3, "chatId", type, title, username, "memberCount", 'member', enabled, "addedAt" FROM ${input}
        ON CONFLICT (tenant_id, bot_id, chat_id) DO UPDATE SET
          username = coalesce(g.username, excluded.username),
          member_count = coalesce(g.member_count, excluded.member_count),
          added_at = least(g.added_at, excluded.added_at)
        WHERE (g.username IS NULL AND excluded.username IS NOT NULL) OR (g.member_count IS NULL AND excluded.member_count IS NOT NULL)
           OR excluded.added_at < g.added_at
        RETURNING ${storedColumns} AS row` },
    });
    return written.map((w, n) => ({ ...w, read: groupsTarget.canonical(dated[n]!) }));
  },
};

function undated(adjust: Adjustments): null {
  adjust.note('added_at', 'no date: set to the time of its first import');
  return null;
}
