import type { TenantTx } from '../platform/db/index.js';

/** A Telegram user as an update carries them. */
export interface TelegramPerson {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface Sighting {
  /** First time the tenant's bot saw this person. */
  isNew: boolean;
  /** First time today (in the tenant's zone): counts toward daily active users. */
  firstToday: boolean;
}

/**
 * Records that the tenant's bot saw a person: profile refreshed, last seen now, the message
 * count raised when they wrote, and — for a private message — the conversation open
 * (private messages to them are now allowed). One upsert: it moves the previous sighting
 * time into `previous_seen_at` on the row it locked, so "first time today" is decided on the
 * latest committed row even when two updates of one person race. Returns what the daily
 * rollups need to know.
 */
export async function recordSighting(tx: TenantTx, person: TelegramPerson, timeZone: string, options: { wroteMessage: boolean; startedChat?: boolean }): Promise<Sighting> {
  const { rows } = await tx.query<{ inserted: boolean; first_today: boolean }>(
    `INSERT INTO tg_users (tenant_id, user_id, username, first_name, last_name, language_code, is_bot, message_count, started_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $10 THEN now() END)
     ON CONFLICT (tenant_id, user_id) DO UPDATE SET
       username = EXCLUDED.username, first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
       language_code = coalesce(EXCLUDED.language_code, tg_users.language_code),
       previous_seen_at = tg_users.last_seen_at, last_seen_at = now(),
       message_count = tg_users.message_count + EXCLUDED.message_count,
       started_at = CASE WHEN $10 THEN coalesce(tg_users.started_at, now()) ELSE tg_users.started_at END,
       blocked_at = CASE WHEN $10 THEN NULL ELSE tg_users.blocked_at END
     RETURNING xmax = 0 AS inserted,
               previous_seen_at IS NULL OR (previous_seen_at AT TIME ZONE $9)::date < (now() AT TIME ZONE $9)::date AS first_today`,
    [tx.tenantId, person.id, person.username ?? null, person.first_name.slice(0, 256), person.last_name?.slice(0, 256) ?? null,
      person.language_code?.slice(0, 16) ?? null, person.is_bot, options.wroteMessage ? 1 : 0, timeZone, options.startedChat ?? false]);
  const row = rows[0]!;
  return { isNew: row.inserted, firstToday: row.inserted || row.first_today };
}

/** The person blocked (or unblocked) the bot in private. */
export async function markBlocked(tx: TenantTx, userId: number, blocked: boolean): Promise<void> {
  await tx.query(`UPDATE tg_users SET blocked_at = CASE WHEN $2 THEN now() ELSE NULL END WHERE user_id = $1`, [userId, blocked]);
}

/** A join request opens Telegram's window to message the requester (5 minutes, or until processed). */
export async function openJoinRequestWindow(tx: TenantTx, userId: number, until: Date): Promise<void> {
  await tx.query(`UPDATE tg_users SET dm_window_until = $2 WHERE user_id = $1`, [userId, until]);
}

/**
 * May the bot message this person privately? Only when they wrote to it (and did not
 * block it) or asked to join a group within the last five minutes: Kovan sends no cold
 * messages.
 */
export async function mayMessagePrivately(tx: TenantTx, userId: number): Promise<boolean> {
  const { rows } = await tx.query<{ ok: boolean }>(
    `SELECT (started_at IS NOT NULL AND blocked_at IS NULL) OR dm_window_until > now() AS ok FROM tg_users WHERE user_id = $1`, [userId]);
  return rows[0]?.ok ?? false;
}
