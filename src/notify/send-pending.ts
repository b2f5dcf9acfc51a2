import { TelegramClient } from '../bots/telegram-client.js';
import { TelegramCallError } from '../bots/telegram-errors.js';
import type { Database } from '../platform/db/index.js';
import type { Logger } from '../platform/log.js';
import type { Mailer } from '../platform/mail.js';
import type { Platform } from '../platform/index.js';

/** The operator's own bot (`PLATFORM_BOT_TOKEN`): it hosts the Mini App and tells owners who linked Telegram. */
export interface PlatformBot {
  token: string;
  apiRoot: string;
}

export interface NotifyDeps {
  db: Database;
  log: Logger;
  mailer?: Mailer;
  platformBot?: PlatformBot;
}

/** The platform bot from the config, when one is set. */
export function platformBotFrom(config: { PLATFORM_BOT_TOKEN?: string; TELEGRAM_API_ROOT: string }): PlatformBot | undefined {
  return config.PLATFORM_BOT_TOKEN ? { token: config.PLATFORM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT } : undefined;
}

/** After a request committed: send the notices it recorded, without holding up the answer. */
export function sendNoticesInBackground(platform: Platform, tenantId: string): void {
  sendPendingNotifications({ db: platform.db, log: platform.log, mailer: platform.mailer, platformBot: platformBotFrom(platform.config) }, tenantId)
    .catch((error) => platform.log.warn({ err: error, tenant_id: tenantId }, 'notifications not sent'));
}

type ChannelStatus = 'sent' | 'failed' | 'skipped' | 'pending';
interface Outcome { id: string; status: ChannelStatus; error: string | null }
interface Owner { email: string; telegramUserId: number | null }
interface Taken { id: string; title: string; body: string; email: boolean; telegram: boolean }

/**
 * Sends the tenant's pending notifications to its owners: by e-mail, and by Telegram from the
 * platform bot to owners who linked their Telegram account (never anyone else: no cold
 * messages). Called after the transaction that recorded them: by the API after a request, and
 * by the tenant's outbox drainer on its housekeeping tick. Each channel of a row is taken
 * (`sending`) in one committed step before anything goes out, so two callers never send the
 * same notice and a crash in between sends it at most once. A Telegram 429 puts it back to
 * `pending` for the next tick; every other failure is recorded with its reason.
 */
export async function sendPendingNotifications(deps: NotifyDeps, tenantId: string): Promise<{ emailed: number; telegrammed: number }> {
  const useEmail = deps.mailer !== undefined;
  const useTelegram = deps.platformBot !== undefined;
  if (!useEmail && !useTelegram) return { emailed: 0, telegrammed: 0 };
  const { taken, owners } = await deps.db.withTenant(tenantId, async (tx) => {
    const taken = (await tx.query<Taken>(
      `WITH due AS (
         SELECT id, email_status = 'pending' AND $2 AS email, telegram_status = 'pending' AND $3 AS telegram
           FROM notifications
          WHERE tenant_id = $1 AND ((email_status = 'pending' AND $2) OR (telegram_status = 'pending' AND $3))
          FOR UPDATE SKIP LOCKED)
       UPDATE notifications n
          SET email_status = CASE WHEN due.email THEN 'sending' ELSE n.email_status END,
              telegram_status = CASE WHEN due.telegram THEN 'sending' ELSE n.telegram_status END
         FROM due WHERE n.tenant_id = $1 AND n.id = due.id
       RETURNING n.id, n.title, n.body, due.email, due.telegram`, [tenantId, useEmail, useTelegram])).rows;
    if (taken.length === 0) return { taken, owners: [] };
    const owners = (await tx.query<Owner>(
      `SELECT email, telegram_user_id AS "telegramUserId" FROM members WHERE tenant_id = $1 AND role = 'owner' ORDER BY created_at`, [tenantId])).rows;
    return { taken, owners };
  });
  if (taken.length === 0) return { emailed: 0, telegrammed: 0 };

  const emailed = await sendEach(taken.filter((n) => n.email), (n) => emailOwners(deps, owners, n), deps.log, tenantId);
  const telegrammed = await sendEach(taken.filter((n) => n.telegram), (n) => telegramOwners(deps.platformBot!, owners, n), deps.log, tenantId);
  await deps.db.withTenant(tenantId, (tx) => tx.query(
    `UPDATE notifications n
        SET email_status = coalesce(e.status, n.email_status), email_error = CASE WHEN e.id IS NULL THEN n.email_error ELSE e.error END,
            emailed_at = CASE WHEN e.id IS NULL THEN n.emailed_at ELSE now() END,
            telegram_status = coalesce(t.status, n.telegram_status), telegram_error = CASE WHEN t.id IS NULL THEN n.telegram_error ELSE t.error END,
            telegrammed_at = CASE WHEN t.id IS NULL OR t.status = 'pending' THEN n.telegrammed_at ELSE now() END
       FROM (SELECT unnest($2::uuid[]) AS id) ids
       LEFT JOIN unnest($3::uuid[], $4::text[], $5::text[]) AS e(id, status, error) ON e.id = ids.id
       LEFT JOIN unnest($6::uuid[], $7::text[], $8::text[]) AS t(id, status, error) ON t.id = ids.id
      WHERE n.tenant_id = $1 AND n.id = ids.id`,
    [tenantId, taken.map((n) => n.id),
      emailed.map((o) => o.id), emailed.map((o) => o.status), emailed.map((o) => o.error),
      telegrammed.map((o) => o.id), telegrammed.map((o) => o.status), telegrammed.map((o) => o.error)]));
  return { emailed: emailed.filter((o) => o.status === 'sent').length, telegrammed: telegrammed.filter((o) => o.status === 'sent').length };
}

async function sendEach(notifications: Taken[], send: (n: Taken) => Promise<Omit<Outcome, 'id'>>, log: Logger, tenantId: string): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const notification of notifications) {
    const outcome = await send(notification).catch((error): Omit<Outcome, 'id'> => ({ status: 'failed', error: error instanceof Error ? error.message : String(error) }));
    if (outcome.status === 'failed') log.warn({ tenant_id: tenantId, notification_id: notification.id, reason: outcome.error }, 'notification not delivered');
    outcomes.push({ id: notification.id, ...outcome });
  }
  return outcomes;
}

async function emailOwners(deps: NotifyDeps, owners: Owner[], n: Taken): Promise<Omit<Outcome, 'id'>> {
  if (owners.length === 0) return { status: 'failed', error: 'no owner e-mail address' };
  for (const { email } of owners) await deps.mailer!.send({ to: email, subject: `Kovan: ${n.title}`, text: n.body });
  return { status: 'sent', error: null };
}

async function telegramOwners(bot: PlatformBot, owners: Owner[], n: Taken): Promise<Omit<Outcome, 'id'>> {
  const linked = owners.flatMap((o) => (o.telegramUserId === null ? [] : [Number(o.telegramUserId)]));
  if (linked.length === 0) return { status: 'skipped', error: 'no owner has linked a Telegram account' };
  const client = new TelegramClient(bot.token, bot.apiRoot);
  const problems: string[] = [];
  let delivered = 0;
  for (const chatId of linked) {
    try {
      await client.sendMessage(chatId, `${n.title}\n\n${n.body}`);
      delivered += 1;
    } catch (error) {
      const failure = error instanceof TelegramCallError ? error.failure : undefined;
      // Telegram asked to wait: not a failure of the notice; the next tick sends it (unless
      // some owner already has it, so nobody gets it twice).
      if (failure?.kind === 'rate_limited' && delivered === 0) return { status: 'pending', error: failure.description };
      // 403 (blocked, cannot initiate) or 400 chat not found (the user never opened the bot).
      problems.push(failure?.kind === 'forbidden' || failure?.kind === 'chat_not_found'
        ? 'an owner has not started the Kovan bot in Telegram, or blocked it: open the bot and press Start'
        : failure?.description ?? String(error));
    }
  }
  return delivered === 0 ? { status: 'failed', error: problems[0]! } : { status: 'sent', error: problems[0] ?? null };
}
