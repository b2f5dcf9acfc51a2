import type { Database, TenantTx } from '../platform/db/index.js';
import { hashToken, newToken } from '../platform/crypto.js';
import { Day, Minute } from '../platform/time.js';

/** A session dies after this long unused… */
export const sessionIdleTimeout = 7 * Day;
/** …and after this long in any case. */
export const sessionAbsoluteTimeout = 30 * Day;
/** Sliding expiry is written at most this often per session, not on every request. */
const touchInterval = Minute;

export const sessionTokenPrefix = 'kvs';

export type Role = 'owner' | 'admin' | 'viewer';

/** Who a request acts as, once authenticated. */
export interface Principal {
  tenantId: string;
  memberId: string;
  role: Role;
  sessionId?: string;
  apiKeyId?: string;
}

/** Creates a session and returns its token; only the SHA-256 of the token is stored. */
export async function createSession(tx: TenantTx, memberId: string, userAgent?: string): Promise<string> {
  const token = newToken(sessionTokenPrefix);
  await tx.query(
    `INSERT INTO sessions (tenant_id, member_id, token_hash, idle_expires_at, expires_at, user_agent)
     VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond', now() + $5 * interval '1 millisecond', $6)`,
    [tx.tenantId, memberId, hashToken(token), sessionIdleTimeout, sessionAbsoluteTimeout, userAgent?.slice(0, 300) ?? null],
  );
  return token;
}

/**
 * The principal behind a session token, or undefined when the token is unknown, revoked or
 * expired. Extends the idle expiry (at most once a minute).
 */
export async function resolveSession(db: Database, token: string): Promise<Principal | undefined> {
  const hash = hashToken(token);
  const found = await db.withoutTenant(async (tx) =>
    (await tx.query<{ tenant_id: string; session_id: string; member_id: string }>(
      'SELECT tenant_id, session_id, member_id FROM auth_find_session($1)', [hash])).rows[0]);
  if (!found) return undefined;
  return db.withTenant(found.tenant_id, async (tx) => {
    const { rows } = await tx.query<{ role: Role }>(`SELECT role FROM members WHERE id = $1`, [found.member_id]);
    if (!rows[0]) return undefined;
    await tx.query(
      `UPDATE sessions SET last_seen_at = now(), idle_expires_at = least(expires_at, now() + $2 * interval '1 millisecond')
        WHERE id = $1 AND last_seen_at < now() - $3 * interval '1 millisecond'`,
      [found.session_id, sessionIdleTimeout, touchInterval]);
    return { tenantId: found.tenant_id, memberId: found.member_id, role: rows[0].role, sessionId: found.session_id };
  });
}

export async function revokeSession(tx: TenantTx, sessionId: string): Promise<void> {
  await tx.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [sessionId]);
}

/** Ends every live session of a member (password changed), except `keep` if given. */
export async function revokeMemberSessions(tx: TenantTx, memberId: string, keep?: string): Promise<number> {
  const { rowCount } = await tx.query(
    `UPDATE sessions SET revoked_at = now() WHERE member_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2::uuid)`,
    [memberId, keep ?? null]);
  return rowCount;
}
