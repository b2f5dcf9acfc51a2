import type { TenantTx } from '../platform/db/index.js';
import { localDay } from './zoned-time.js';

/**
 * The customer-visible trace of outgoing messages: one `messages` row per outcome (sent,
 * failed, rejected at enqueue, cancelled) and the daily counters in `stats_daily`.
 */

export type HistoryStatus = 'sent' | 'failed' | 'rejected' | 'cancelled';

export interface HistoryEntry {
  /** The outbox row; null for a message refused before it got one. */
  deliveryId: string | null;
  botId: string;
  chatId: number;
  kind: string;
  text: string;
  templateId: string | null;
  status: HistoryStatus;
  reason: string | null;
  telegramMessageId: number | null;
}

/**
 * Writes the history rows in one statement. The chat type comes from the tenant's groups
 * (a chat Kovan does not know as a group is `private` when positive, `group` otherwise).
 */
export async function recordHistory(tx: TenantTx, entries: readonly HistoryEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.query(
    `INSERT INTO messages (tenant_id, bot_id, chat_id, chat_type, telegram_message_id, direction, kind, text, template_id, delivery_id, status, reason)
     SELECT $1, e.bot_id, e.chat_id,
            COALESCE(g.type, CASE WHEN e.chat_id > 0 THEN 'private' ELSE 'group' END),
            e.telegram_message_id, 'out', e.kind, e.text, e.template_id, e.delivery_id, e.status, e.reason
       FROM unnest($2::uuid[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::uuid[], $8::uuid[], $9::text[], $10::text[])
            WITH ORDINALITY AS e(bot_id, chat_id, telegram_message_id, kind, text, template_id, delivery_id, status, reason, ord)
       LEFT JOIN groups g ON g.tenant_id = $1 AND g.bot_id = e.bot_id AND g.chat_id = e.chat_id
      ORDER BY e.ord`,
    [
      tx.tenantId,
      entries.map((e) => e.botId), entries.map((e) => e.chatId), entries.map((e) => e.telegramMessageId),
      entries.map((e) => e.kind), entries.map((e) => e.text), entries.map((e) => e.templateId),
      entries.map((e) => e.deliveryId), entries.map((e) => e.status), entries.map((e) => e.reason),
    ]);
}

/** One finished delivery, for the daily counters. */
export interface DeliveryCount {
  chatId: number;
  sent: boolean;
  at: Date;
}

/**
 * Adds finished deliveries to `stats_daily` (tenant-local day): `messages_out` for sent,
 * `deliveries_failed` for failed, per chat and in the chat-0 totals. Rows are upserted in
 * key order so concurrent writers (the update pipeline counts messages_in) lock them in the
 * same order.
 */
export async function countDeliveries(tx: TenantTx, timeZone: string, counts: readonly DeliveryCount[]): Promise<void> {
  if (counts.length === 0) return;
  const totals = new Map<string, { day: string; chatId: number; sent: number; failed: number }>();
  const add = (day: string, chatId: number, sent: boolean) => {
    const key = `${day}/${chatId}`;
    const row = totals.get(key) ?? { day, chatId, sent: 0, failed: 0 };
    if (sent) row.sent++;
    else row.failed++;
    totals.set(key, row);
  };
  for (const c of counts) {
    const day = localDay(c.at, timeZone);
    add(day, 0, c.sent);
    add(day, c.chatId, c.sent);
  }
  const rows = [...totals.values()].sort((a, b) => (a.day === b.day ? a.chatId - b.chatId : a.day < b.day ? -1 : 1));
  await tx.query(
    `INSERT INTO stats_daily AS s (tenant_id, day, chat_id, messages_out, deliveries_failed)
     SELECT $1, r.day, r.chat_id, r.sent, r.failed
       FROM unnest($2::date[], $3::bigint[], $4::int[], $5::int[]) AS r(day, chat_id, sent, failed)
     ON CONFLICT (tenant_id, day, chat_id) DO UPDATE
        SET messages_out = s.messages_out + EXCLUDED.messages_out,
            deliveries_failed = s.deliveries_failed + EXCLUDED.deliveries_failed`,
    [tx.tenantId, rows.map((r) => r.day), rows.map((r) => r.chatId), rows.map((r) => r.sent), rows.map((r) => r.failed)]);
}
