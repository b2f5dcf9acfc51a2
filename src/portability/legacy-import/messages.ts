import { requiredTimestamp } from './dates.js';
import { batchJson, sqlTime, type Canonical, type LegacyTarget, type Written } from './target.js';
import { RowRejected, legacyBoolean, legacyInteger, legacyOptionalText, legacyText, limitLength, telegramLimits } from './values.js';

/** One line of the old bot's history, as a `messages` row of the tenant's bot. */
export interface MessageRow {
  chatId: bigint;
  chatType: 'private' | 'group' | 'supergroup' | 'channel';
  telegramMessageId: bigint | null;
  userId: bigint | null;
  direction: 'in' | 'out';
  kind: 'text' | 'command' | 'service';
  text: string | null;
  status: 'received' | 'sent';
  at: string;
}

const input = `json_to_recordset($1::json) AS i(ord int, "chatId" bigint, "chatType" text, "telegramMessageId" bigint, "userId" bigint,
  direction text, kind text, text text, status text, at timestamptz)`;
const storedColumns = `json_build_array(m.chat_id::text, m.chat_type, m.telegram_message_id::text, m.user_id::text,
  m.direction, m.kind, m.text, m.status, ${sqlTime('m.at')})`;

const outgoing = /^(out|outgoing|outbound|sent|bot|reply|answer)$/i;
const incoming = /^(in|incoming|inbound|received|user)$/i;

/**
 * Legacy history → `messages`. History has no natural key, so a message counts as already
 * imported when an identical one (chat, time, sender, Telegram message id, direction, text)
 * exists: re-runs add nothing, and true duplicates in the source are reported once.
 */
export const messagesTarget: LegacyTarget<MessageRow> = {
  name: 'messages',
  kovanTable: 'messages',
  tableNames: /^(tg_|bot_|chat_|message_|msg_)?(messages?|history|message_?history|chat_?history|message_?log|messages_?log|logs?|chat_?log|updates)$/,
  fields: [
    { name: 'at', aliases: ['date', 'at', 'created_at', 'created', 'timestamp', 'sent_at', 'received_at', 'time', 'datetime', 'ts', 'message_date'], required: true },
    { name: 'chat_id', aliases: ['chat_id', 'chatid', 'group_id', 'groupid', 'tg_chat_id', 'peer_id'] },
    { name: 'user_id', aliases: ['user_id', 'userid', 'from_id', 'sender_id', 'from_user_id', 'author_id', 'telegram_id', 'tg_id'] },
    { name: 'text', aliases: ['text', 'message', 'message_text', 'content', 'body', 'msg', 'caption'] },
    { name: 'telegram_message_id', aliases: ['message_id', 'msg_id', 'telegram_message_id', 'tg_message_id'] },
    { name: 'direction', aliases: ['direction', 'is_outgoing', 'outgoing', 'from_bot', 'is_bot_message', 'is_out', 'sender_type'] },
    { name: 'chat_type', aliases: ['chat_type'] },
  ],
  needsBot: true,
  dedupe: 'sorted',
  orderBy: (column) => ['chat_id', 'at', 'telegram_message_id', 'user_id', 'direction', 'text'].map(column).filter(Boolean).join(', ') || undefined,

  normalize(v, adjust, context) {
    const userId = legacyInteger(v.user_id, 'user_id', adjust, { required: false });
    // A chat id that is not a number (`abc`) says nothing about the chat: skipped, not guessed to be the sender's private chat.
    let chatId = legacyInteger(v.chat_id, 'chat_id', adjust, { required: false, rejectInvalid: true });
    if (chatId === null || chatId === 0n) {
      if (userId === null) throw new RowRejected('no chat_id and no user_id: the chat is unknown');
      chatId = userId; // a private chat's id is the user's id
    }
    const declared = legacyOptionalText(v.chat_type, 'chat_type', adjust)?.trim().toLowerCase();
    const chatType = declared === 'private' || declared === 'group' || declared === 'supergroup' || declared === 'channel'
      ? declared
      : chatId > 0n ? 'private' : chatId <= -1_000_000_000_000n ? 'supergroup' : 'group';
    const raw = legacyText(v.text, 'text', adjust);
    const text = raw === null ? null : limitLength(raw, telegramLimits.messageText, 'text', adjust);
    const direction = readDirection(v.direction, adjust);
    return {
      chatId,
      chatType,
      telegramMessageId: legacyInteger(v.telegram_message_id, 'telegram_message_id', adjust, { required: false }),
      userId,
      direction,
      kind: text === null ? 'service' : text.startsWith('/') ? 'command' : 'text',
      text,
      status: direction === 'out' ? 'sent' : 'received',
      at: requiredTimestamp(v.at, 'date', context.sourceZone),
    };
  },

  key: (row) => JSON.stringify(messagesTarget.canonical(row)),
  duplicateReason: 'duplicate message (same chat, time, sender and text)',

  canonical: (r): Canonical => [r.chatId.toString(), r.chatType, r.telegramMessageId?.toString() ?? null, r.userId?.toString() ?? null,
    r.direction, r.kind, r.text, r.status, r.at],

  async write({ tx, botId }, rows): Promise<Written[]> {
    const json = batchJson(rows);
    const { rows: found } = await tx.query<{ ord: number; row: Canonical }>(
      `SELECT DISTINCT ON (i.ord) i.ord, ${storedColumns} AS row FROM ${input}
         JOIN messages m ON m.chat_id = i."chatId" AND m.at = i.at AND m.bot_id = $2 AND m.direction = i.direction
          AND m.chat_type = i."chatType" AND m.kind = i.kind AND m.status = i.status
          AND m.user_id IS NOT DISTINCT FROM i."userId" AND m.telegram_message_id IS NOT DISTINCT FROM i."telegramMessageId"
          AND m.text IS NOT DISTINCT FROM i.text
        ORDER BY i.ord, m.id`, [json, botId]);
    const existing = new Map(found.map((f) => [f.ord, f.row]));
    const missing = rows.flatMap((row, ord) => (existing.has(ord) ? [] : [{ ord, row }]));
    const inserted = new Map<number, Canonical>();
    if (missing.length > 0) {
      // Ids come from the table's own sequence first, so every stored row is matched to its
      // source row by id instead of trusting the order RETURNING happens to use.
      const { rows: ids } = await tx.query<{ id: string }>(
        `SELECT nextval(pg_get_serial_sequence('messages', 'id'))::text AS id FROM generate_series(1, $1)`, [missing.length]);
      const ordById = new Map(ids.map((id, n) => [id.id, missing[n]!.ord]));
      const { rows: written } = await tx.query<{ id: string; row: Canonical }>(
        `INSERT INTO messages AS m (id, tenant_id, bot_id, chat_id, chat_type, telegram_message_id, user_id, direction, kind, text, status, at)
         OVERRIDING SYSTEM VALUE
         SELECT id, $2, $3, "chatId", "chatType", "telegramMessageId", "userId", direction, kind, text, status, at FROM ${input.replace('ord int', 'ord int, id bigint')}
         RETURNING m.id::text AS id, ${storedColumns} AS row`,
        [batchJson(missing.map(({ row }, n) => ({ ...row, id: ids[n]!.id }))), tx.tenantId, botId]);
      for (const w of written) inserted.set(ordById.get(w.id)!, w.row);
    }
    return rows.map((_row, ord) => {
      const before = existing.get(ord);
      if (before) return { status: 'unchanged', stored: before };
      const stored = inserted.get(ord);
      if (!stored) throw new Error(`message ${ord} of the batch was neither written nor found`);
      return { status: 'inserted', stored };
    });
  },
};

function readDirection(value: unknown, adjust: Parameters<typeof legacyBoolean>[2]): 'in' | 'out' {
  if (typeof value === 'string' && outgoing.test(value.trim())) return 'out';
  if (typeof value === 'string' && incoming.test(value.trim())) return 'in';
  return legacyBoolean(value, 'direction', adjust) ? 'out' : 'in';
}
