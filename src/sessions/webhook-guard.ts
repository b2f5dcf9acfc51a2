import type { Cache } from '../platform/cache/index.js';
import type { Database } from '../platform/db/index.js';
import type { Logger } from '../platform/log.js';
import type { BotCredentials } from '../bots/bots.js';
import type { TelegramClient } from '../bots/telegram-client.js';
import { publishEvents } from '../events/index.js';
import { assertLease, type SessionLease } from '../platform/fencing.js';
import { allowedUpdates } from '../messaging/pipeline.js';
import { notifyTenant } from '../notify/index.js';
import { recordAudit } from '../tenancy/index.js';

/**
 * The webhook-ownership guard. Another tool calling setWebhook with the same token silently
 * takes the bot's updates (a top complaint among hosted-bot users): Kovan checks
 * getWebhookInfo periodically, puts its own webhook back, records the repair, and tells
 * the tenant. Returns true when a repair was needed.
 */
export async function checkWebhook(
  deps: { db: Database; cache: Cache; lease: SessionLease; log: Logger },
  bot: BotCredentials,
  client: TelegramClient,
  expectedUrl: string,
): Promise<boolean> {
  const info = await client.getWebhookInfo();
  await deps.db.withTenant(deps.lease.tenantId, (tx) => tx.query(`UPDATE bots SET webhook_checked_at = now() WHERE id = $1`, [bot.id]));
  if (info.url === expectedUrl) return false;
  await client.setWebhook(expectedUrl, bot.webhookSecret, allowedUpdates);
  const reason = info.url ? `Another program set this bot's webhook to ${new URL(info.url).host}; Kovan took it back` : 'The bot had no webhook; Kovan set it again';
  await deps.db.withTenant(deps.lease.tenantId, async (tx) => {
    await assertLease(tx, deps.lease);
    await tx.query(`UPDATE bots SET webhook_repairs = webhook_repairs + 1, last_error = $2, last_error_at = now() WHERE id = $1`, [bot.id, reason]);
    await recordAudit(tx, { action: 'bot.webhook_repaired', entity: 'bot', entityId: bot.id, before: { url: info.url ? new URL(info.url).host : null }, after: { url: 'kovan' } });
    await notifyTenant(tx, {
      event: 'webhook_changed', title: `@${bot.username}: webhook taken back`,
      body: `${reason}. If you use another tool with this bot's token, it will keep fighting Kovan for the bot's updates: give it its own bot.`,
      data: { botId: bot.id },
    });
  });
  await publishEvents(deps.cache, deps.lease.tenantId, [{ type: 'bot_status', at: new Date().toISOString(), data: { botId: bot.id, status: 'connected', warning: reason } }]);
  deps.log.warn({ bot_id: bot.id }, 'webhook was changed elsewhere; repaired');
  return true;
}
