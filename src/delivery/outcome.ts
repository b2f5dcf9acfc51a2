import type { TenantTx } from '../platform/db/index.js';
import type { OutcomeProblem, OutcomeState, RunOutcome } from './contract.js';

export type { OutcomeProblem, OutcomeState, RunOutcome } from './contract.js';

/** How many problems an outcome lists; the counts still cover every message. */
const maxListedProblems = 50;

/** What a run's messages came to, and how the run itself went. */
export interface OutcomeCounts {
  runStatus: 'enqueued' | 'skipped' | 'failed';
  sent: number;
  failed: number;
  refused: number;
  pending: number;
  cancelled: number;
  expired: number;
}

/**
 * The one word for a run: never `sent` while a message failed or was refused, never
 * `failed` once one went out (that is `partly_failed`), and `sending` as long as any waits.
 */
export function outcomeState(c: OutcomeCounts): OutcomeState {
  if (c.runStatus === 'failed') return 'failed';
  if (c.runStatus === 'skipped') return 'skipped';
  if (c.pending > 0) return 'sending';
  if (c.failed + c.refused > 0) return c.sent > 0 ? 'partly_failed' : 'failed';
  if (c.sent > 0) return 'sent';
  if (c.cancelled > 0) return 'cancelled';
  return c.expired > 0 ? 'expired' : 'sent';
}

interface OutcomeRow {
  scheduleId: string;
  runAt: Date;
  runStatus: OutcomeCounts['runStatus'];
  runReason: string | null;
  counted: number;
  refusals: OutcomeProblem[];
  sent: number;
  failed: number;
  cancelled: number;
  pending: number;
  failures: OutcomeProblem[];
}

/**
 * The outcome of each schedule's latest run (schedules that never ran have none): counted
 * from the run's outbox rows — sent, failed with Telegram's reason, waiting — and the
 * refusals the run recorded, since a refused message never had an outbox row.
 */
export async function findRunOutcomes(tx: TenantTx, scheduleIds: readonly string[]): Promise<Map<string, RunOutcome>> {
  if (scheduleIds.length === 0) return new Map();
  const { rows } = await tx.query<OutcomeRow>(
    `WITH latest AS (
       SELECT DISTINCT ON (schedule_id) schedule_id, run_at, status, reason, accepted + deferred AS counted, refusals
         FROM schedule_runs WHERE tenant_id = $1 AND schedule_id = ANY($2::uuid[])
        ORDER BY schedule_id, run_at DESC)
     SELECT l.schedule_id AS "scheduleId", l.run_at AS "runAt", l.status AS "runStatus", l.reason AS "runReason", l.counted, l.refusals,
            count(o.id) FILTER (WHERE o.status = 'sent')::int AS sent,
            count(o.id) FILTER (WHERE o.status = 'failed')::int AS failed,
            count(o.id) FILTER (WHERE o.status = 'cancelled')::int AS cancelled,
            count(o.id) FILTER (WHERE o.status IN ('queued', 'claimed', 'sending', 'paused'))::int AS pending,
            coalesce(jsonb_agg(jsonb_build_object('groupId', g.id, 'groupTitle', g.title, 'status', 'failed', 'reason', o.reason) ORDER BY o.seq)
                     FILTER (WHERE o.status = 'failed'), '[]'::jsonb) AS failures
       FROM latest l
       LEFT JOIN outbox o ON o.tenant_id = $1 AND o.schedule_id = l.schedule_id AND o.run_at = l.run_at
       LEFT JOIN groups g ON g.tenant_id = $1 AND g.bot_id = o.bot_id AND g.chat_id = o.chat_id
      GROUP BY l.schedule_id, l.run_at, l.status, l.reason, l.counted, l.refusals`,
    [tx.tenantId, scheduleIds]);
  return new Map(rows.map((r) => [r.scheduleId, toOutcome(r)]));
}

function toOutcome(r: OutcomeRow): RunOutcome {
  const counts: OutcomeCounts = {
    runStatus: r.runStatus, sent: r.sent, failed: r.failed, refused: r.refusals.length, pending: r.pending, cancelled: r.cancelled,
    expired: Math.max(0, r.counted - r.sent - r.failed - r.pending - r.cancelled),
  };
  const runProblem: OutcomeProblem[] = r.runStatus === 'failed' ? [{ groupId: null, groupTitle: null, status: 'failed', reason: r.runReason ?? 'the run failed' }] : [];
  const problems = [...runProblem, ...r.failures, ...r.refusals].slice(0, maxListedProblems);
  return {
    runAt: r.runAt, state: outcomeState(counts),
    sent: counts.sent, failed: counts.failed, refused: counts.refused, pending: counts.pending, cancelled: counts.cancelled, expired: counts.expired,
    problems,
  };
}
