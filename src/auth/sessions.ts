import type { Database, TenantTx } from '../platform/db/index.js';
import { hashToken, newToken } from '../platform/crypto.js';
import { Day } from '../platform/time.js';
import type { Role } from './contract.js';

/** A session dies after this long unused… */
export const sessionIdleTimeout = 7 * Day;
/** …and after this long in any case. */
export const sessionAbsoluteTimeout = 30 * Day;

export const sessionTokenPrefix = 'kvs';

export type { Role } from './contract.js';

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
 * expired: one round trip. The idle expiry is extended at most once a minute, in a write
 * of its own only then.
 */
export async function resolveSession(db: Database, token: string): Promise<Principal | undefined> {
  const [found] = await db.readWithoutTenant<{ tenant_id: string; session_id: string; member_id: string; role: Role; needs_touch: boolean }>(
    'SELECT tenant_id, session_id, member_id, role, needs_touch FROM auth_find_session($1)', [hashToken(token)]);
  if (!found) return undefined;
  if (found.needs_touch) {
    await db.withTenant(found.tenant_id, (tx) => tx.query(
      `UPDATE sessions SET last_seen_at = now(), idle_expires_at = least(expires_at, now() + $2 * interval '1 millisecond') WHERE id = $1`,
      [found.session_id, sessionIdleTimeout]));
  }
  return { tenantId: found.tenant_id, memberId: found.member_id, role: found.role, sessionId: found.session_id };
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
