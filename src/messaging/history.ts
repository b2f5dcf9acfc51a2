import type { TenantTx } from '../platform/db/index.js';

export interface InboundRecord {
  botId: string;
  chatId: number;
  chatType: string;
  telegramMessageId?: number;
  userId?: number;
  kind: 'text' | 'command' | 'join' | 'leave' | 'join_request' | 'service' | 'other';
  text?: string;
  at: Date;
}

/**
 * Appends an incoming message or event to the tenant's history. Nothing in the update's
 * transaction reads it back, so the row travels with the transaction's next statement.
 */
export function recordInbound(tx: TenantTx, record: InboundRecord): void {
  tx.queryLater(
    `INSERT INTO messages (tenant_id, bot_id, chat_id, chat_type, telegram_message_id, user_id, direction, kind, text, status, at)
     VALUES ($1, $2, $3, $4, $5, $6, 'in', $7, $8, 'received', $9)`,
    [tx.tenantId, record.botId, record.chatId, record.chatType, record.telegramMessageId ?? null, record.userId ?? null,
      record.kind, record.text?.slice(0, 8192) ?? null, record.at]);
}
