import { z } from 'zod';
import type { TenantTx } from '../platform/db/index.js';
import { decodeCursor, encodeCursor, type Page } from '../http/pagination.js';
import type { HistoryItem, RecentActivity } from './contract.js';

export type { HistoryItem, RecentActivity } from './contract.js';

export interface HistoryFilter {
  /** Rows with from ≤ at < to. */
  from: Date;
  to: Date;
  chatId?: number;
  direction?: 'in' | 'out';
  kind?: string;
  botId?: string;
}

export const historyKinds = ['text', 'command', 'join', 'leave', 'join_request', 'service', 'other', 'reply', 'welcome', 'invite', 'scheduled', 'broadcast', 'notification'] as const;

const columns = `id, at, bot_id AS "botId", chat_id AS "chatId", chat_type AS "chatType", telegram_message_id AS "telegramMessageId",
  user_id AS "userId", direction, kind, text, template_id AS "templateId", delivery_id AS "deliveryId", status, reason`;

/** Cursor: the (at in µs since the epoch, id) of the last row; PostgreSQL keeps µs, so ms would skip or repeat rows. */
const historyCursor = z.tuple([z.number().int().nonnegative(), z.number().int().positive()]);

/**
 * One page of history, newest first, keyset-paginated over (at, id) on the
 * `messages_at` / `messages_chat_at` indexes: page 10 000 costs what page 1 costs.
 */
export async function findHistoryPage(tx: TenantTx, filter: HistoryFilter, cursor: string | undefined, limit: number): Promise<Page<HistoryItem>> {
  const after = cursor ? decodeCursor(cursor, historyCursor) : undefined;
  const { rows } = await tx.query<HistoryItem & { atMicros: number }>(
    `SELECT ${columns}, (extract(epoch FROM at) * 1000000)::bigint AS "atMicros" FROM messages
      WHERE at >= $1::timestamptz AND at < $2::timestamptz
        AND ($3::bigint IS NULL OR chat_id = $3::bigint)
        AND ($4::text IS NULL OR direction = $4::text)
        AND ($5::text IS NULL OR kind = $5::text)
        AND ($6::uuid IS NULL OR bot_id = $6::uuid)
        AND ($7::bigint IS NULL OR (at, id) < ('epoch'::timestamptz + $7::bigint * interval '1 microsecond', $8::bigint))
      ORDER BY at DESC, id DESC
      LIMIT $9`,
    [filter.from, filter.to, filter.chatId ?? null, filter.direction ?? null, filter.kind ?? null, filter.botId ?? null,
      after?.[0] ?? null, after?.[1] ?? null, limit + 1]);
  const items = rows.slice(0, limit).map(({ atMicros: _, ...item }) => item);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { items, nextCursor: last ? encodeCursor([last.atMicros, last.id]) : null };
}

/**
 * The newest rows of the history, for the dashboard's recent activity, with the sender's
 * name and the group's title. An outgoing row's parse mode comes from its outbox row; once
 * that is pruned, or for a refused message that never had one, Kovan's own texts are HTML.
 */
export async function recentHistory(tx: TenantTx, limit: number): Promise<RecentActivity[]> {
  const { rows } = await tx.query<RecentActivity>(
    `SELECT m.id, m.at, m.chat_id AS "chatId", m.user_id AS "userId", m.direction, m.kind, m.status, left(m.text, 1000) AS text,
            nullif(concat_ws(' ', nullif(u.first_name, ''), u.last_name), '') AS "userName", g.title AS "groupTitle",
            CASE WHEN o.id IS NOT NULL THEN o.parse_mode IS NOT DISTINCT FROM 'HTML' ELSE m.direction = 'out' END AS html
       FROM messages m
       LEFT JOIN outbox o ON o.tenant_id = m.tenant_id AND o.id = m.delivery_id
       LEFT JOIN tg_users u ON u.tenant_id = m.tenant_id AND u.user_id = m.user_id
       LEFT JOIN groups g ON g.tenant_id = m.tenant_id AND g.bot_id = m.bot_id AND g.chat_id = m.chat_id
      WHERE m.tenant_id = $1
      ORDER BY m.at DESC, m.id DESC LIMIT $2`, [tx.tenantId, limit]);
  return rows;
}
