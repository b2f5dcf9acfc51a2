import type { TenantTx } from '../platform/db/index.js';
import { Day } from '../platform/time.js';

/** How long a key and its answer are kept: a client retrying later than this makes a new request. */
export const idempotencyKeyLifetimeMs = Day;

/** The answer stored with a key, as it was first sent. */
export interface StoredAnswer {
  fingerprint: Buffer;
  status: number;
  body: string;
}

/**
 * Takes `key` for this request in the caller's transaction, or finds who has it. Returns
 * `undefined` when the key is new (or had expired): the caller does the work and then
 * {@link recordAnswer}s in the same transaction. Returns the stored answer when the key was
 * used before. While another transaction holds the key (a concurrent retry still working),
 * this waits for it to end: its commit makes the answer visible here, its rollback frees
 * the key for this request. Expired keys of the tenant are deleted on the way.
 */
export async function claimKey(tx: TenantTx, key: string, fingerprint: Buffer, now = new Date()): Promise<StoredAnswer | undefined> {
  const expiresAt = new Date(now.getTime() + idempotencyKeyLifetimeMs);
  const { rowCount } = await tx.query(
    `WITH purged AS (DELETE FROM idempotency_keys WHERE expires_at <= $4 AND key <> $1)
     INSERT INTO idempotency_keys (tenant_id, key, request_fingerprint, created_at, expires_at)
     VALUES (current_tenant_id(), $1, $2, $4, $3)
     ON CONFLICT (tenant_id, key) DO UPDATE
       SET request_fingerprint = EXCLUDED.request_fingerprint, response_status = 0, response_body = '',
           created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
       WHERE idempotency_keys.expires_at <= $4
     RETURNING 1`,
    [key, fingerprint, expiresAt, now],
  );
  if (rowCount > 0) return undefined;
  const { rows } = await tx.query<{ request_fingerprint: Buffer; response_status: number; response_body: string }>(
    'SELECT request_fingerprint, response_status, response_body FROM idempotency_keys WHERE key = $1', [key]);
  const row = rows[0];
  // Only a committed row is visible here, and it always carries its answer.
  if (!row) throw new Error(`idempotency key ${key} was claimed but cannot be read`);
  return { fingerprint: Buffer.from(row.request_fingerprint), status: row.response_status, body: row.response_body };
}

/** Stores the answer for `key`, claimed by {@link claimKey} in this transaction; it commits with the work. */
export function recordAnswer(tx: TenantTx, key: string, answer: { status: number; body: string }): void {
  tx.queryLater('UPDATE idempotency_keys SET response_status = $2, response_body = $3 WHERE key = $1', [key, answer.status, answer.body]);
}
