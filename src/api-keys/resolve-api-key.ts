import type { Principal, Role } from '../auth/index.js';
import { constantTimeEqual, hashToken } from '../platform/crypto.js';
import type { Database } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { Minute } from '../platform/time.js';
import { requireFeature } from '../tenancy/index.js';
import { apiKeyPattern, type ApiKeyScope } from './api-keys.js';

/** `last_used_at` is written at most this often per key, not on every request. */
const touchInterval = Minute;

/** The per-minute budget of each API-key principal, read by the rate-limit hook. */
export const apiKeyBudgets = new WeakMap<Principal, number>();

const roleRank: Record<Role, number> = { viewer: 1, admin: 2, owner: 3 };

/**
 * Authenticates an API key: the prefix finds the row (through a narrow cross-tenant
 * function), the SHA-256 of the whole key is compared in constant time, then in the
 * tenant's own scope: revoked or expired keys are refused, the plan must still include
 * API access (403 `plan_required` after a downgrade), and the role is the scope's
 * (`read` → viewer, `write` → admin) capped by the maker's current role.
 */
export async function resolveApiKey(db: Database, token: string): Promise<Principal | undefined> {
  const match = apiKeyPattern.exec(token);
  if (!match) return undefined;
  const hash = hashToken(token);
  const found = await db.withoutTenant(async (tx) =>
    (await tx.query<{ tenant_id: string; key_id: string; token_hash: Uint8Array }>(
      'SELECT tenant_id, key_id, token_hash FROM api_key_find($1)', [match[1]])).rows[0]);
  if (!found || !constantTimeEqual(Buffer.from(found.token_hash), hash)) return undefined;
  return db.withTenant(found.tenant_id, async (tx) => {
    const { rows } = await tx.query<{ scopes: ApiKeyScope[]; revoked: boolean; expired: boolean; rate_limit_per_minute: number; member_id: string; role: Role | null }>(
      `SELECT k.scopes, k.revoked_at IS NOT NULL AS revoked, k.expires_at IS NOT NULL AND k.expires_at <= now() AS expired,
              k.rate_limit_per_minute, k.member_id, m.role
         FROM api_keys k LEFT JOIN members m ON m.id = k.member_id WHERE k.id = $1`, [found.key_id]);
    const key = rows[0];
    if (!key || !key.role) return undefined;
    if (key.revoked) throw new AppError('unauthenticated', 'This API key was revoked');
    if (key.expired) throw new AppError('unauthenticated', 'This API key has expired; create a new one');
    await requireFeature(tx, 'api_access', 'API access');
    await tx.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - $2 * interval '1 millisecond')`, [found.key_id, touchInterval]);
    const scopeRole: Role = key.scopes.includes('write') ? 'admin' : 'viewer';
    const role = roleRank[scopeRole] <= roleRank[key.role] ? scopeRole : key.role;
    const principal: Principal = { tenantId: found.tenant_id, memberId: key.member_id, role, apiKeyId: found.key_id };
    apiKeyBudgets.set(principal, key.rate_limit_per_minute);
    return principal;
  });
}
