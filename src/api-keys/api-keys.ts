import { randomBytes } from 'node:crypto';
import type { TenantTx } from '../platform/db/index.js';
import { hashToken } from '../platform/crypto.js';
import { AppError, notFound } from '../platform/errors.js';
import { recordAudit, requireFeature } from '../tenancy/index.js';
import type { ApiKey, ApiKeyScope } from './contract.js';

export type { ApiKey, ApiKeyScope } from './contract.js';

/** Every API key starts with this, so a leaked one is recognisable (and secret scanners can match it). */
export const apiKeyTokenPrefix = 'kvk';
/** `kvk_<8 visible chars>_<43 chars of secret>`. */
export const apiKeyPattern = /^kvk_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  name: string;
  scopes: ApiKeyScope[];
  expiresAt?: Date;
  rateLimitPerMinute?: number;
}

const columns = `id, name, prefix, last4, scopes, rate_limit_per_minute AS "rateLimitPerMinute", member_id AS "memberId",
  expires_at AS "expiresAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt", created_at AS "createdAt"`;

const prefixAlphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

function newPrefix(): string {
  return [...randomBytes(8)].map((b) => prefixAlphabet[b % prefixAlphabet.length]).join('');
}

/**
 * Creates a key (Premium: `api_access`). The whole key is returned this once; only its
 * SHA-256, prefix and last four characters are stored. The key acts for the member who
 * made it, with `read` (viewer) or `write` (admin) rights, never more than that member has.
 */
export async function createApiKey(tx: TenantTx, input: NewApiKey, memberId: string): Promise<{ apiKey: ApiKey; token: string }> {
  await requireFeature(tx, 'api_access', 'API keys');
  const scopes = [...new Set(input.scopes)].sort() as ApiKeyScope[];
  for (let attempt = 0; ; attempt++) {
    const prefix = newPrefix();
    const token = `${apiKeyTokenPrefix}_${prefix}_${randomBytes(32).toString('base64url')}`;
    try {
      const { rows } = await tx.query<ApiKey>(
        `INSERT INTO api_keys (tenant_id, name, prefix, token_hash, last4, scopes, rate_limit_per_minute, member_id, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${columns}`,
        [tx.tenantId, input.name, prefix, hashToken(token), token.slice(-4), scopes, input.rateLimitPerMinute ?? 600, memberId, input.expiresAt ?? null]);
      const apiKey = rows[0]!;
      await recordAudit(tx, { memberId, action: 'api_key.created', entity: 'api_key', entityId: apiKey.id, after: { name: apiKey.name, prefix, last4: apiKey.last4, scopes, expiresAt: apiKey.expiresAt } });
      return { apiKey, token };
    } catch (error) {
      // 36^8 prefixes: a collision is rare, and a retry with a new prefix resolves it.
      if ((error as { code?: string }).code === '23505' && attempt < 3) continue;
      throw error;
    }
  }
}

export async function listApiKeys(tx: TenantTx): Promise<ApiKey[]> {
  return (await tx.query<ApiKey>(`SELECT ${columns} FROM api_keys ORDER BY created_at, id`)).rows;
}

export async function getApiKey(tx: TenantTx, id: string): Promise<ApiKey> {
  const { rows } = await tx.query<ApiKey>(`SELECT ${columns} FROM api_keys WHERE id = $1`, [id]);
  if (!rows[0]) throw notFound('API key');
  return rows[0];
}

/** Revokes a key at once (the next request with it is a 401). Revoking twice is a no-op. */
export async function revokeApiKey(tx: TenantTx, id: string, memberId: string): Promise<ApiKey> {
  const before = await getApiKey(tx, id);
  if (before.revokedAt) return before;
  const { rows } = await tx.query<ApiKey>(`UPDATE api_keys SET revoked_at = now() WHERE id = $1 RETURNING ${columns}`, [id]);
  await recordAudit(tx, { memberId, action: 'api_key.revoked', entity: 'api_key', entityId: id, before: { name: before.name, prefix: before.prefix, last4: before.last4 } });
  return rows[0]!;
}

/** Revokes every live key a member made (the member was removed): a key never outlives its maker's access. */
export async function revokeMemberApiKeys(tx: TenantTx, memberId: string): Promise<number> {
  const { rowCount } = await tx.query(`UPDATE api_keys SET revoked_at = now() WHERE member_id = $1 AND revoked_at IS NULL`, [memberId]);
  return rowCount;
}

/** Checks an `expires_at` for a new key: in the future, at most three years away. */
export function checkKeyExpiry(expiresAt: Date | undefined): void {
  if (!expiresAt) return;
  const now = Date.now();
  const problem = expiresAt.getTime() <= now ? 'must be in the future' : expiresAt.getTime() > now + 3 * 366 * 86_400_000 ? 'must be at most three years away' : undefined;
  if (problem) throw new AppError('validation_failed', `expires_at: ${problem}`, { fields: [{ field: 'expires_at', message: problem }] });
}
