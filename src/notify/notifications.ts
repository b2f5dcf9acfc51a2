import type { TenantTx } from '../platform/db/index.js';
import { getConfig } from '../tenancy/index.js';

/** The events a tenant can be told about; the tenant's `notifications` config picks which reach e-mail. */
export type NotificationEvent = 'quota_warning' | 'quota_exhausted' | 'bot_failed' | 'webhook_changed' | 'payment';

export interface NotificationInput {
  event: NotificationEvent;
  title: string;
  body: string;
  data?: Record<string, unknown>;
  /**
   * At most one notification per key, ever: `quota_warning:2025-03-28` fires once that day
   * however many enqueues cross the threshold, including concurrent ones.
   */
  dedupeKey?: string;
}

type ChannelStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';

export interface Notification {
  id: string;
  event: NotificationEvent;
  title: string;
  body: string;
  data: Record<string, unknown>;
  emailStatus: ChannelStatus;
  telegramStatus: ChannelStatus;
  createdAt: string;
}

/**
 * Records a notification in the caller's transaction, so it exists exactly when the event
 * that caused it commits (a rolled-back enqueue warns nobody). E-mail and Telegram go out
 * afterwards through {@link sendPendingNotifications}; a channel or event the tenant turned
 * off is still recorded, marked `skipped`. Returns null when the dedupe key was already used.
 */
export async function notifyTenant(tx: TenantTx, input: NotificationInput): Promise<{ id: string } | null> {
  const settings = await getConfig(tx, 'notifications');
  const wanted = settings.events.includes(input.event);
  const status = (channel: boolean) => (wanted && channel ? 'pending' : 'skipped');
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO notifications (tenant_id, event, dedupe_key, title, body, data, email_status, telegram_status)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
     ON CONFLICT (tenant_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
     RETURNING id`,
    [tx.tenantId, input.event, input.dedupeKey ?? null, input.title, input.body, JSON.stringify(input.data ?? {}), status(settings.email), status(settings.telegram)],
  );
  return rows[0] ?? null;
}

/** The tenant's most recent notifications, newest first. */
export async function listNotifications(tx: TenantTx, limit = 50): Promise<Notification[]> {
  const { rows } = await tx.query<Notification>(
    `SELECT id, event, title, body, data, email_status AS "emailStatus", telegram_status AS "telegramStatus", created_at AS "createdAt"
       FROM notifications WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT $2`,
    [tx.tenantId, limit],
  );
  return rows;
}
