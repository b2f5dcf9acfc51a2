import type { TenantTx } from '../platform/db/index.js';
import type { RowSummary } from './claim.js';
import type { Verdict } from './failures.js';
import { countDeliveries, recordHistory, type HistoryEntry } from './history.js';
import type { FencedTx } from './lease-fence.js';
import { deliveries } from './metrics.js';
import { recordTargetLoss, retargetChat } from './targets.js';

/** A message whose Telegram call has been answered (or failed), waiting to be recorded; `chatId` is the chat the call went to. */
export interface Outcome extends RowSummary {
  at: Date;
  result: { action: 'sent'; telegramMessageId: number } | Verdict;
}

/** What recording changed that the sender must know. */
export interface Recorded {
  /** Rows the transitions applied to (still `sending` under this sender's claim); others are no longer its own. */
  applied: Set<string>;
  /** Rows finished (sent or failed) — including other queued rows to a target that is gone. */
  finished: number;
  /** Targets that can no longer be reached: held rows for them must be dropped. */
  lostTargets: Array<{ botId: string; chatId: number }>;
}

/**
 * Records answered calls in one fenced transaction: each row moves from `sending` to
 * `sent` or `failed`, or back to `claimed` for a retry or a retarget — it stays with this
 * sender, in its place in its chat's queue, so a chat's messages keep their order — only
 * if this sender's claim is still on it; finished rows get their history row and daily counts. A target that is
 * gone (blocked, kicked, chat not found) is recorded, and the other unsent rows to it fail
 * with the same reason instead of each trying Telegram.
 */
export async function recordOutcomes(tx: FencedTx, outcomes: readonly Outcome[], timeZone: string): Promise<Recorded> {
  if (outcomes.length === 0) return { applied: new Set(), finished: 0, lostTargets: [] };
  const updated = await applyTransitions(tx, outcomes);
  const mine = outcomes.filter((o) => updated.has(o.id));

  const history: HistoryEntry[] = [];
  const counts: Array<{ chatId: number; sent: boolean; at: Date }> = [];
  for (const o of mine) {
    if (o.result.action === 'sent') {
      history.push(entry(o, 'sent', null, o.result.telegramMessageId));
      counts.push({ chatId: o.chatId, sent: true, at: o.at });
    } else if (o.result.action === 'fail') {
      history.push(entry(o, 'failed', o.result.reason, null));
      counts.push({ chatId: o.chatId, sent: false, at: o.at });
    }
  }

  const lostTargets: Recorded['lostTargets'] = [];
  for (const o of mine) {
    if (o.result.action === 'retarget') {
      await retargetChat(tx, o.botId, o.chatId, o.result.chatId);
    } else if (o.result.action === 'fail' && o.result.loss) {
      await recordTargetLoss(tx, o.botId, o.chatId, o.result.loss);
      const doomed = await failUnsentTo(tx, o.botId, o.chatId, o.result.reason);
      for (const row of doomed) {
        history.push(entry(row, 'failed', o.result.reason, null));
        counts.push({ chatId: row.chatId, sent: false, at: o.at });
      }
      lostTargets.push({ botId: o.botId, chatId: o.chatId });
    }
  }

  await recordHistory(tx, history);
  await countDeliveries(tx, timeZone, counts);
  const sent = mine.filter((o) => o.result.action === 'sent').length;
  deliveries.inc({ result: 'sent' }, sent);
  deliveries.inc({ result: 'failed' }, history.length - sent);
  deliveries.inc({ result: 'retried' }, mine.filter((o) => o.result.action === 'retry' || o.result.action === 'retarget').length);
  return { applied: updated, finished: history.length, lostTargets };
}

/**
 * Finishes rows whose attempt was in flight when their sender died (see
 * {@link recoverAbandoned}): history and counts say `failed: outcome_unknown`.
 */
export async function recordInDoubt(tx: TenantTx, rows: readonly RowSummary[], timeZone: string): Promise<void> {
  if (rows.length === 0) return;
  const now = new Date();
  await recordHistory(tx, rows.map((r) => entry(r, 'failed', 'outcome_unknown', null)));
  await countDeliveries(tx, timeZone, rows.map((r) => ({ chatId: r.chatId, sent: false, at: now })));
  deliveries.inc({ result: 'unknown' }, rows.length);
}

function entry(row: { id: string; botId: string; chatId: number; kind: string; text: string; templateId: string | null }, status: 'sent' | 'failed', reason: string | null, telegramMessageId: number | null): HistoryEntry {
  return { deliveryId: row.id, botId: row.botId, chatId: row.chatId, kind: row.kind, text: row.text, templateId: row.templateId, status, reason, telegramMessageId };
}

/** One statement for every transition; returns the ids it applied to (still `sending` under our claim). */
async function applyTransitions(tx: FencedTx, outcomes: readonly Outcome[]): Promise<Set<string>> {
  const rows = outcomes.map((o) => {
    const r = o.result;
    switch (r.action) {
      case 'sent': return { id: o.id, status: 'sent', reason: null, tmid: r.telegramMessageId, chatId: null, notBefore: null };
      case 'fail': return { id: o.id, status: 'failed', reason: r.reason, tmid: null, chatId: null, notBefore: null };
      case 'retry': return { id: o.id, status: 'claimed', reason: r.reason, tmid: null, chatId: null, notBefore: new Date(o.at.getTime() + r.delayMs) };
      case 'retarget': return { id: o.id, status: 'claimed', reason: 'migrated', tmid: null, chatId: r.chatId, notBefore: o.at };
    }
  });
  const { rows: applied } = await tx.query<{ id: string }>(
    `UPDATE outbox o SET status = r.status, reason = r.reason, telegram_message_id = r.tmid,
            chat_id = COALESCE(r.chat_id, o.chat_id), not_before = COALESCE(r.not_before, o.not_before),
            finished_at = CASE WHEN r.status IN ('sent', 'failed') THEN r.at END,
            claimed_by = CASE WHEN r.status = 'claimed' THEN o.claimed_by END,
            claim_epoch = CASE WHEN r.status = 'claimed' THEN o.claim_epoch END,
            claim_expires_at = CASE WHEN r.status = 'claimed' THEN o.claim_expires_at END
       FROM unnest($4::uuid[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::timestamptz[], $10::timestamptz[])
            AS r(id, status, reason, tmid, chat_id, not_before, at)
      WHERE o.tenant_id = $1 AND o.id = r.id AND o.status = 'sending' AND o.claimed_by = $2 AND o.claim_epoch = $3
      RETURNING o.id`,
    [tx.tenantId, tx.lease.workerId, tx.lease.epoch,
      rows.map((r) => r.id), rows.map((r) => r.status), rows.map((r) => r.reason), rows.map((r) => r.tmid),
      rows.map((r) => r.chatId), rows.map((r) => r.notBefore), outcomes.map((o) => o.at)]);
  return new Set(applied.map((r) => r.id));
}

async function failUnsentTo(tx: FencedTx, botId: string, chatId: number, reason: string): Promise<RowSummary[]> {
  const { rows } = await tx.query<RowSummary>(
    `UPDATE outbox SET status = 'failed', reason = $4, finished_at = now(), claimed_by = NULL, claim_epoch = NULL, claim_expires_at = NULL
      WHERE tenant_id = $1 AND bot_id = $2 AND chat_id = $3 AND status IN ('queued', 'claimed', 'paused')
      RETURNING id, bot_id AS "botId", chat_id AS "chatId", kind, text, template_id AS "templateId"`,
    [tx.tenantId, botId, chatId, reason]);
  return rows;
}
