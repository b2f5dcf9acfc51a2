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
 * Records that the tenant's bot saw a person: profile refreshed, last seen now, and the
 * message count raised when they wrote. Returns what the daily rollups need to know.
 */
export async function recordSighting(tx: TenantTx, person: TelegramPerson, timeZone: string, wroteMessage: boolean): Promise<Sighting> {
  // Read the previous sighting first, locked: one statement could not see it (a CTE that
  // locks the row runs after the upsert has modified it, and then sees nothing).
  const { rows: previous } = await tx.query<{ first_today: boolean }>(
    `SELECT (last_seen_at AT TIME ZONE $2)::date < (now() AT TIME ZONE $2)::date AS first_today
       FROM tg_users WHERE user_id = $1 FOR UPDATE`, [person.id, timeZone]);
  await tx.query(
    `INSERT INTO tg_users (tenant_id, user_id, username, first_name, last_name, language_code, is_bot, message_count)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (tenant_id, user_id) DO UPDATE SET
       username = EXCLUDED.username, first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
       language_code = coalesce(EXCLUDED.language_code, tg_users.language_code),
       last_seen_at = now(), message_count = tg_users.message_count + EXCLUDED.message_count`,
    [tx.tenantId, person.id, person.username ?? null, person.first_name.slice(0, 256), person.last_name?.slice(0, 256) ?? null,
      person.language_code?.slice(0, 16) ?? null, person.is_bot, wroteMessage ? 1 : 0]);
  return previous[0] ? { isNew: false, firstToday: previous[0].first_today } : { isNew: true, firstToday: true };
}

/** The person wrote to the bot privately: private messages to them are now allowed. */
export async function markStarted(tx: TenantTx, userId: number): Promise<void> {
  await tx.query(`UPDATE tg_users SET started_at = coalesce(started_at, now()), blocked_at = NULL WHERE user_id = $1`, [userId]);
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
