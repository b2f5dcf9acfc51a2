import type { Cache } from '../platform/cache/index.js';
import { hashToken } from '../platform/crypto.js';
import type { Database } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { recordAudit } from '../tenancy/index.js';
import { memberColumns, type Member, type SignedIn } from './accounts.js';
import { fromCache } from './cache-dependency.js';
import { createSession } from './sessions.js';
import { initDataClockSkewSeconds, validateInitData, type InitDataUser } from './telegram-init-data.js';

export interface TelegramLoginDeps {
  db: Database;
  /** Remembers each used initData until it expires: one use each. */
  cache: Cache;
  /** The platform bot's token: Telegram signs the Mini App's initData with it. */
  platformBotToken: string | undefined;
  maxAgeSeconds: number;
}

/**
 * Validates `initData` (a 401 says why not) and runs `use` with its Telegram user only if
 * no other request has used the same initData: one use each, as a captured initData must
 * not log anyone in again. A `use` that throws gives the initData back, so a "not linked
 * yet" answer does not spend the initData the member then links with. The reservation is
 * an atomic counter in the shared cache, kept until the initData expires, so parallel
 * replays on several API replicas still get one use between them.
 */
async function useInitDataOnce<T>(deps: TelegramLoginDeps, initData: string, use: (user: InitDataUser) => Promise<T>): Promise<T> {
  if (!deps.platformBotToken) throw new AppError('unavailable', 'Telegram login is not configured (PLATFORM_BOT_TOKEN)');
  const result = validateInitData(initData, deps.platformBotToken, deps.maxAgeSeconds);
  if (!result.ok) {
    const why = {
      malformed: 'is malformed', bad_signature: 'has an invalid signature', expired: 'is too old; reopen the app',
      future: 'is dated in the future', no_user: 'carries no user',
    }[result.reason];
    throw new AppError('invalid_credentials', `Telegram login data ${why}`, { reason: result.reason });
  }
  // A hash of the signature: the cache holds nothing that would pass for one.
  const key = `initdata:${hashToken(result.hash).toString('base64url')}`;
  const rememberMs = result.expiresAt.getTime() - Date.now() + initDataClockSkewSeconds * 1000;
  const { count } = await fromCache(() => deps.cache.increment(key, Math.max(1, rememberMs)));
  if (count > 1) throw new AppError('invalid_credentials', 'Telegram login data was already used; reopen the app', { reason: 'replayed' });
  try {
    return await use(result.user);
  } catch (error) {
    await deps.cache.delete(key).catch(() => undefined); // if the cache is gone, the member reopens the app
    throw error;
  }
}

/** Logs in the member linked to the Telegram user of `initData`. */
export async function logInWithTelegram(deps: TelegramLoginDeps, initData: string, userAgent?: string): Promise<SignedIn> {
  return useInitDataOnce(deps, initData, async (user) => {
    const found = await deps.db.withoutTenant(async (tx) =>
      (await tx.query<{ tenant_id: string; member_id: string }>('SELECT * FROM auth_find_telegram_member($1)', [user.id])).rows[0]);
    if (!found) {
      throw new AppError('telegram_not_linked', 'This Telegram account is not linked to a Kovan login yet: log in with your password and link it in Settings', { telegramUserId: user.id });
    }
    return deps.db.withTenant(found.tenant_id, async (tx) => {
      const { rows } = await tx.query<Member>(`UPDATE members SET last_login_at = now() WHERE id = $1 RETURNING ${memberColumns}`, [found.member_id]);
      return { token: await createSession(tx, found.member_id, userAgent), tenantId: found.tenant_id, member: rows[0]! };
    });
  });
}

/** Links the Telegram user of `initData` to the logged-in member. */
export async function linkTelegramAccount(deps: TelegramLoginDeps, tenantId: string, memberId: string, initData: string): Promise<Member> {
  return useInitDataOnce(deps, initData, async (user) => {
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
  });
}
