import type { Database } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { recordAudit } from '../tenancy/index.js';
import { memberColumns, type Member, type SignedIn } from './accounts.js';
import { createSession } from './sessions.js';
import { validateInitData, type InitDataUser } from './telegram-init-data.js';

export interface TelegramLoginDeps {
  db: Database;
  /** The platform bot's token: Telegram signs the Mini App's initData with it. */
  platformBotToken: string | undefined;
  maxAgeSeconds: number;
}

/** The Telegram user vouched for by `initData`, or a 401 that says why not. */
export function verifiedTelegramUser(deps: TelegramLoginDeps, initData: string): InitDataUser {
  if (!deps.platformBotToken) throw new AppError('unavailable', 'Telegram login is not configured (PLATFORM_BOT_TOKEN)');
  const result = validateInitData(initData, deps.platformBotToken, deps.maxAgeSeconds);
  if (!result.ok) {
    const why = { malformed: 'is malformed', bad_signature: 'has an invalid signature', expired: 'is too old; reopen the app', no_user: 'carries no user' }[result.reason];
    throw new AppError('invalid_credentials', `Telegram login data ${why}`, { reason: result.reason });
  }
  return result.user;
}

/** Logs in the member linked to the Telegram user of `initData`. */
export async function logInWithTelegram(deps: TelegramLoginDeps, initData: string, userAgent?: string): Promise<SignedIn> {
  const user = verifiedTelegramUser(deps, initData);
  const found = await deps.db.withoutTenant(async (tx) =>
    (await tx.query<{ tenant_id: string; member_id: string }>('SELECT * FROM auth_find_telegram_member($1)', [user.id])).rows[0]);
  if (!found) {
    throw new AppError('telegram_not_linked', 'This Telegram account is not linked to a Kovan login yet: log in with your password and link it in Settings', { telegramUserId: user.id });
  }
  return deps.db.withTenant(found.tenant_id, async (tx) => {
    const { rows } = await tx.query<Member>(`UPDATE members SET last_login_at = now() WHERE id = $1 RETURNING ${memberColumns}`, [found.member_id]);
    return { token: await createSession(tx, found.member_id, userAgent), tenantId: found.tenant_id, member: rows[0]! };
  });
}

/** Links the Telegram user of `initData` to the logged-in member. */
export async function linkTelegramAccount(deps: TelegramLoginDeps, tenantId: string, memberId: string, initData: string): Promise<Member> {
  const user = verifiedTelegramUser(deps, initData);
  try {
    return await deps.db.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<Member>(
        `UPDATE members SET telegram_user_id = $2, language = coalesce(language, $3) WHERE id = $1 RETURNING ${memberColumns}`,
        [memberId, user.id, user.language_code?.slice(0, 2) ?? null]);
      await recordAudit(tx, { memberId, action: 'member.telegram_linked', entity: 'member', entityId: memberId, after: { telegramUserId: user.id } });
      return rows[0]!;
    });
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new AppError('conflict', 'This Telegram account is already linked to another Kovan login');
    throw error;
  }
}
