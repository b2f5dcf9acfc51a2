import type { TenantTx } from '../platform/db/index.js';
import type { DeliveryKind } from './kinds.js';
import type { FencedTx } from './lease-fence.js';

/**
 * The outbox as the sender moves rows through it. Every statement that changes a row's
 * state runs in a {@link FencedTx} and names the claim it expects (worker and epoch), so a
 * worker that lost the lease can neither claim nor finish anything.
 */

/** A claimed row, as the sender needs it. */
export interface ClaimedRow {
  id: string;
  seq: number;
  botId: string;
  chatId: number;
  kind: DeliveryKind;
  priority: number;
  text: string;
  parseMode: 'HTML' | null;
  replyToMessageId: number | null;
  templateId: string | null;
  attempts: number;
}

const ownClaim = `claimed_by = $2 AND claim_epoch = $3`;
const clearClaim = `claimed_by = NULL, claim_epoch = NULL, claim_expires_at = NULL`;

function leaseParams(tx: FencedTx): [string, string, number] {
  return [tx.tenantId, tx.lease.workerId, tx.lease.epoch];
}

/**
 * Claims up to `limit` due rows, highest priority first, oldest first within a priority.
 * The claim expires after `ttlMs` unless renewed, so rows of a sender that vanished without
 * a new lease being granted still come back.
 */
export async function claimDue(tx: FencedTx, limit: number, ttlMs: number): Promise<ClaimedRow[]> {
  if (limit <= 0) return [];
  const { rows } = await tx.query<ClaimedRow>(
    `UPDATE outbox SET status = 'claimed', claimed_by = $2, claim_epoch = $3,
                       claim_expires_at = now() + $5 * interval '1 millisecond'
      WHERE tenant_id = $1 AND id IN (
              SELECT id FROM outbox WHERE tenant_id = $1 AND status = 'queued' AND not_before <= now()
               ORDER BY priority, seq LIMIT $4 FOR UPDATE SKIP LOCKED)
      RETURNING id, seq, bot_id AS "botId", chat_id AS "chatId", kind, priority, text, parse_mode AS "parseMode",
                reply_to_message_id AS "replyToMessageId", template_id AS "templateId", attempts`,
    [...leaseParams(tx), limit, ttlMs]);
  return rows.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
}

/** When the next queued row that is not due yet becomes due (deferred, retrying, scheduled), if any. */
export async function nextDueAt(tx: TenantTx): Promise<Date | null> {
  const { rows } = await tx.query<{ at: Date | null }>(
    `SELECT min(not_before) AS at FROM outbox WHERE tenant_id = $1 AND status = 'queued' AND not_before > now()`, [tx.tenantId]);
  return rows[0]?.at ?? null;
}

/**
 * The attempt record: marks claimed rows `sending` (attempts + 1) and commits before any
 * Telegram call. Returns the rows still ours — a row paused or cancelled since its claim is
 * not returned and must not be sent — with their chat id as it is now (a migrated group's
 * rows were retargeted meanwhile).
 */
export async function recordAttempts(tx: FencedTx, ids: readonly string[], ttlMs: number): Promise<Array<{ id: string; chatId: number; attempts: number }>> {
  if (ids.length === 0) return [];
  const { rows } = await tx.query<{ id: string; chatId: number; attempts: number }>(
    `UPDATE outbox SET status = 'sending', attempts = attempts + 1, attempt_started_at = now(),
                       claim_expires_at = now() + $5 * interval '1 millisecond'
      WHERE tenant_id = $1 AND id = ANY($4::uuid[]) AND status = 'claimed' AND ${ownClaim}
      RETURNING id, chat_id AS "chatId", attempts`,
    [...leaseParams(tx), ids, ttlMs]);
  return rows;
}

/** Puts claimed rows back in the queue, not due before `notBefore` (now when null). */
export async function unclaim(tx: FencedTx, rows: ReadonlyArray<{ id: string; notBefore: Date | null }>): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `UPDATE outbox o SET status = 'queued', ${clearClaim}, not_before = COALESCE(r.not_before, now())
       FROM unnest($4::uuid[], $5::timestamptz[]) AS r(id, not_before)
      WHERE o.tenant_id = $1 AND o.id = r.id AND o.status = 'claimed' AND o.claimed_by = $2 AND o.claim_epoch = $3`,
    [...leaseParams(tx), rows.map((r) => r.id), rows.map((r) => r.notBefore)]);
}

/** Extends the claims on rows this sender still holds or is sending. */
export async function renewClaims(tx: FencedTx, ids: readonly string[], ttlMs: number): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(
    `UPDATE outbox SET claim_expires_at = now() + $5 * interval '1 millisecond'
      WHERE tenant_id = $1 AND id = ANY($4::uuid[]) AND status IN ('claimed', 'sending') AND ${ownClaim}`,
    [...leaseParams(tx), ids, ttlMs]);
}

/** What the history needs of a row finished in bulk (in doubt after a crash, or to a target that is gone). */
export interface RowSummary {
  id: string;
  botId: string;
  chatId: number;
  kind: DeliveryKind;
  text: string;
  templateId: string | null;
}

/**
 * Takes back what a previous holder (an older epoch, or this epoch's expired claim) left:
 * rows it only claimed go back to the queue — they were never sent; rows it was sending
 * are finished as `failed` with reason `outcome_unknown` and never sent again — Telegram may
 * or may not have received them, and sending twice is what this must rule out. `keep`
 * names rows this sender holds itself.
 */
export async function recoverAbandoned(tx: FencedTx, keep: readonly string[]): Promise<{ requeued: number; inDoubt: RowSummary[] }> {
  const abandoned = `tenant_id = $1 AND (claim_epoch < $2 OR claim_expires_at < now()) AND NOT (id = ANY($3::uuid[]))`;
  const params = [tx.tenantId, tx.lease.epoch, keep];
  const requeued = await tx.query(`UPDATE outbox SET status = 'queued', ${clearClaim} WHERE status = 'claimed' AND ${abandoned}`, params);
  const inDoubt = await tx.query<RowSummary>(
    `UPDATE outbox SET status = 'failed', reason = 'outcome_unknown', finished_at = now(), ${clearClaim}
      WHERE status = 'sending' AND ${abandoned}
      RETURNING id, bot_id AS "botId", chat_id AS "chatId", kind, text, template_id AS "templateId"`, params);
  return { requeued: requeued.rowCount, inDoubt: inDoubt.rows };
}

/** Messages due and unfinished, and the age of the oldest, for the queue gauges. */
export async function queueDepth(tx: TenantTx): Promise<{ depth: number; oldestAgeSeconds: number }> {
  const { rows } = await tx.query<{ depth: number; oldestAgeSeconds: number | null }>(
    `SELECT count(*)::int AS depth, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS "oldestAgeSeconds"
       FROM outbox WHERE tenant_id = $1 AND status IN ('queued', 'claimed', 'sending') AND not_before <= now()`, [tx.tenantId]);
  return { depth: rows[0]?.depth ?? 0, oldestAgeSeconds: rows[0]?.oldestAgeSeconds ?? 0 };
}

/** Deletes finished rows older than `retentionMs` (their history stays in `messages`), a bounded batch at a time. */
export async function pruneFinished(tx: FencedTx, retentionMs: number): Promise<number> {
  const { rowCount } = await tx.query(
    `DELETE FROM outbox WHERE tenant_id = $1 AND id IN (
       SELECT id FROM outbox WHERE tenant_id = $1 AND finished_at < now() - $2 * interval '1 millisecond' LIMIT 1000)`,
    [tx.tenantId, retentionMs]);
  return rowCount;
}
