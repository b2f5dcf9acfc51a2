import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../platform/crypto.js';
import type { Logger } from '../platform/log.js';
import type { TenantTx } from '../platform/db/index.js';
import { AppError, notFound } from '../platform/errors.js';
import { recordAudit } from '../tenancy/index.js';
import { TelegramClient } from './telegram-client.js';
import { TelegramCallError } from './telegram-errors.js';
import type { Bot, BotStatus } from './contract.js';

export type { Bot, BotStatus } from './contract.js';


export const botColumns = `id, telegram_bot_id AS "telegramBotId", username, first_name AS "firstName", token_hint AS "tokenHint",
  can_read_all_group_messages AS "canReadAllGroupMessages", mode, status, status_reason AS "statusReason",
  last_update_at AS "lastUpdateAt", last_send_at AS "lastSendAt", last_error AS "lastError", last_error_at AS "lastErrorAt",
  webhook_repairs AS "webhookRepairs", created_at AS "createdAt"`;

const tokenShape = /^\d{5,12}:[A-Za-z0-9_-]{30,60}$/;

export interface ConnectDeps {
  secrets: SecretBox;
  apiRoot: string;
  /** Webhook mode when set (PUBLIC_URL); polling otherwise. */
  publicUrl?: string;
}

/**
 * Connects a tenant's bot: the token is checked with getMe, then stored sealed (the tenant
 * id is the seal's context, so a sealed token copied to another tenant will not open).
 * Reconnecting the same Telegram bot updates its token instead of adding a second row.
 */
export async function connectBot(tx: TenantTx, deps: ConnectDeps, token: string, memberId?: string): Promise<Bot> {
  if (!tokenShape.test(token)) {
    throw new AppError('validation_failed', 'That does not look like a bot token from @BotFather', { fields: [{ field: 'token', message: 'expected <digits>:<35 characters>' }] });
  }
  let me;
  try {
    me = await new TelegramClient(token, deps.apiRoot).getMe();
  } catch (error) {
    if (error instanceof TelegramCallError && error.failure.kind === 'unauthorized') {
      throw new AppError('validation_failed', 'Telegram rejected this token: it is wrong or was revoked in @BotFather', { fields: [{ field: 'token', message: 'rejected by Telegram' }] });
    }
    throw new AppError('upstream_failed', 'Telegram could not be reached to check the token; try again shortly');
  }
  const taken = (await tx.query<{ taken: boolean }>('SELECT bot_is_taken($1, $2) AS taken', [me.id, tx.tenantId])).rows[0]?.taken;
  if (taken) throw new AppError('conflict', 'This bot is already connected to another Kovan account: disconnect it there first');

  const sealed = deps.secrets.seal(token, tx.tenantId);
  const hint = `${token.split(':')[0]}:…${token.slice(-4)}`;
  const mode = deps.publicUrl ? 'webhook' : 'polling';
  const { rows } = await tx.query<Bot>(
    `INSERT INTO bots (tenant_id, telegram_bot_id, username, first_name, token_sealed, token_hint, can_read_all_group_messages,
                       mode, route_id, webhook_secret_sealed)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (telegram_bot_id) WHERE status <> 'disconnected' DO UPDATE
       SET token_sealed = EXCLUDED.token_sealed, token_hint = EXCLUDED.token_hint, username = EXCLUDED.username,
           first_name = EXCLUDED.first_name, can_read_all_group_messages = EXCLUDED.can_read_all_group_messages,
           status = 'connected', status_reason = NULL
     RETURNING ${botColumns}`,
    [tx.tenantId, me.id, me.username, me.first_name, sealed, hint, me.can_read_all_group_messages, mode,
      randomBytes(18).toString('base64url'), deps.secrets.seal(randomBytes(32).toString('base64url'), tx.tenantId)]);
  const bot = rows[0]!;
  await recordAudit(tx, { memberId, action: 'bot.connected', entity: 'bot', entityId: bot.id, after: { username: bot.username, tokenHint: hint } });
  return bot;
}

export async function listBots(tx: TenantTx): Promise<Bot[]> {
  return (await tx.query<Bot>(`SELECT ${botColumns} FROM bots WHERE status <> 'disconnected' ORDER BY created_at`)).rows;
}

export async function getBot(tx: TenantTx, botId: string): Promise<Bot> {
  const { rows } = await tx.query<Bot>(`SELECT ${botColumns} FROM bots WHERE id = $1 AND status <> 'disconnected'`, [botId]);
  if (!rows[0]) throw notFound('Bot');
  return rows[0];
}

/** What the runtime needs to talk to Telegram as this bot. Only sessions call this. */
export interface BotCredentials {
  id: string;
  telegramBotId: number;
  username: string;
  token: string;
  webhookSecret: string;
  routeId: string;
  mode: 'polling' | 'webhook';
  updateOffset: number;
}

export async function openBotCredentials(tx: TenantTx, secrets: SecretBox, botId: string): Promise<BotCredentials> {
  const { rows } = await tx.query<{ id: string; telegram_bot_id: number; username: string; token_sealed: string; webhook_secret_sealed: string; route_id: string; mode: 'polling' | 'webhook'; update_offset: number }>(
    `SELECT id, telegram_bot_id, username, token_sealed, webhook_secret_sealed, route_id, mode, update_offset
       FROM bots WHERE id = $1 AND status <> 'disconnected'`, [botId]);
  const row = rows[0];
  if (!row) throw notFound('Bot');
  return {
    id: row.id, telegramBotId: row.telegram_bot_id, username: row.username, routeId: row.route_id, mode: row.mode, updateOffset: row.update_offset,
    token: secrets.open(row.token_sealed, tx.tenantId), webhookSecret: secrets.open(row.webhook_secret_sealed, tx.tenantId),
  };
}

/**
 * Disconnects a bot: its token is wiped (not just hidden), its groups stay for the history.
 * A bot in webhook mode has its webhook removed at Telegram first (best effort), so the
 * customer can use the bot elsewhere, with polling too, without a 409 from Telegram.
 */
export async function disconnectBot(tx: TenantTx, deps: ConnectDeps & { log: Logger }, botId: string, memberId?: string): Promise<void> {
  const bot = await getBot(tx, botId);
  if (bot.mode === 'webhook') {
    const { token } = await openBotCredentials(tx, deps.secrets, botId);
    await new TelegramClient(token, deps.apiRoot).deleteWebhook()
      .catch((error) => deps.log.warn({ err: error, bot_id: botId }, 'the webhook could not be removed at Telegram while disconnecting'));
  }
  await tx.query(`UPDATE bots SET status = 'disconnected', status_reason = 'Disconnected by the tenant', token_sealed = '', webhook_secret_sealed = '' WHERE id = $1`, [botId]);
  await recordAudit(tx, { memberId, action: 'bot.disconnected', entity: 'bot', entityId: botId, before: { username: bot.username } });
}

/** Records the bot's health as its session sees it; shown to the tenant with the reason. */
export async function setBotStatus(tx: TenantTx, botId: string, status: Exclude<BotStatus, 'disconnected'>, reason: string | null): Promise<void> {
  await tx.query(
    `UPDATE bots SET status = $2, status_reason = $3,
            last_error = CASE WHEN $3::text IS NULL THEN last_error ELSE $3 END,
            last_error_at = CASE WHEN $3::text IS NULL THEN last_error_at ELSE now() END
      WHERE id = $1 AND status <> 'disconnected'`, [botId, status, reason]);
}
