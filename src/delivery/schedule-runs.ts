import type { Database, TenantTx } from '../platform/db/index.js';
import { Minute } from '../platform/time.js';
import { getTemplate, renderTemplate } from '../templates/index.js';
import { getConfig } from '../tenancy/index.js';
import { enqueueMany, type DeliveryRequest } from './enqueue.js';
import { withLease, type LeaseToken } from './lease-fence.js';
import { advanceSchedule, lockSchedule, nextOccurrence, postHtml, zoneOf, type Schedule } from './schedules.js';
import { groupTargets, type GroupTarget } from './targets.js';
import type { OutcomeProblem } from './outcome.js';
import { formatLocal } from './zoned-time.js';

/**
 * An occurrence more than this late was missed (no worker held the tenant, or it was
 * paused): it follows the tenant's `missed_run_policy` instead of simply running.
 * runDueSchedules is called every few seconds, so anything later means downtime.
 */
export const missedRunGrace = 2 * Minute;

/** Safety bound when counting the occurrences missed over a long outage. */
const maxCountedMisses = 100_000;

/** What handling one occurrence did. */
export interface RunReport {
  scheduleId: string;
  /** The occurrence: with the schedule id, the run's identity. */
  runAt: Date;
  status: 'enqueued' | 'skipped' | 'failed' | 'already_ran';
  /** Accepted for the run's day / for later days (over quota) / refused (see the history for why). */
  accepted: number;
  deferred: number;
  rejected: number;
  reason?: string;
}

export interface RunDueOptions {
  db: Database;
  tenantId: string;
  /** The tenant's lease: only its holder runs schedules (each run is fenced by it). */
  lease: LeaseToken;
  now?: Date;
}

/** How many schedules one call handles; the rest wait for the next tick. */
const batch = 50;

/**
 * Runs every active schedule whose next occurrence has come, each in its own fenced
 * transaction, and moves it to its next occurrence. Idempotent: an occurrence already
 * run (a second tick, another worker after a lease move) is recognised by its run id and
 * not run again. Missed occurrences follow the tenant's `missed_run_policy`:
 * `run_once` — one run now, for the latest missed occurrence; `skip` — recorded as skipped,
 * nothing sent. Either way older missed occurrences are not made up one by one.
 */
export async function runDueSchedules(options: RunDueOptions): Promise<RunReport[]> {
  const now = options.now ?? new Date();
  const due = await options.db.withTenant(options.tenantId, async (tx) => (await tx.query<{ id: string }>(
    `SELECT id FROM schedules WHERE tenant_id = $1 AND status = 'active' AND next_run_at <= $2 ORDER BY next_run_at LIMIT $3`,
    [options.tenantId, now, batch])).rows.map((r) => r.id));
  const reports: RunReport[] = [];
  for (const id of due) {
    const report = await withLease(options.db, options.tenantId, options.lease, async (tx) => {
      const schedule = await lockSchedule(tx, id);
      if (schedule.status !== 'active' || !schedule.nextRunAt || schedule.nextRunAt > now) return null;
      return handleDueOccurrence(tx, schedule, now);
    });
    if (report) reports.push(report);
  }
  return reports;
}

/**
 * Runs a schedule's due occurrence at once, in the caller's transaction: how a broadcast
 * is sent when it is created (the API holds no lease; the run id still makes it happen once).
 */
export async function runScheduleNow(tx: TenantTx, scheduleId: string, now: Date = new Date()): Promise<RunReport | null> {
  const schedule = await lockSchedule(tx, scheduleId);
  if (schedule.status !== 'active' || !schedule.nextRunAt || schedule.nextRunAt > now) return null;
  return handleDueOccurrence(tx, schedule, now);
}

async function handleDueOccurrence(tx: TenantTx, schedule: Schedule, now: Date): Promise<RunReport> {
  const due = schedule.nextRunAt!;
  const { latest, missed } = schedule.cron ? latestOccurrence(schedule.cron, await zoneOf(tx, schedule), due, now) : { latest: due, missed: 0 };
  const late = now.getTime() - latest.getTime() > missedRunGrace;
  const note = missed > 0 ? `${missed} earlier occurrence(s) missed` : undefined;
  let report: RunReport;
  if (!late) {
    report = await runOccurrence(tx, schedule, latest, now, note);
  } else if ((await getConfig(tx, 'missed_run_policy')) === 'run_once') {
    report = await runOccurrence(tx, schedule, latest, now, `late: ran once after downtime${note ? `; ${note}` : ''}`);
  } else {
    report = await recordRun(tx, schedule.id, latest, 'skipped', `missed during downtime; policy skip${note ? `; ${note}` : ''}`);
  }
  await advanceSchedule(tx, schedule, latest, now);
  return report;
}

/** The last occurrence at or before `now` from `due` on, and how many before it were passed over. */
function latestOccurrence(cron: string, timeZone: string, due: Date, now: Date): { latest: Date; missed: number } {
  let latest = due;
  let missed = 0;
  for (let next = nextOccurrence(cron, timeZone, due); next && next <= now && missed < maxCountedMisses; next = nextOccurrence(cron, timeZone, next)) {
    latest = next;
    missed += 1;
  }
  return { latest, missed };
}

async function runOccurrence(tx: TenantTx, schedule: Schedule, runAt: Date, now: Date, note?: string): Promise<RunReport> {
  const claimed = await tx.query(
    `INSERT INTO schedule_runs (tenant_id, schedule_id, run_at, status, reason) VALUES ($1, $2, $3, 'enqueued', $4)
     ON CONFLICT (tenant_id, schedule_id, run_at) DO NOTHING RETURNING run_at`, [tx.tenantId, schedule.id, runAt, note ?? null]);
  if (claimed.rowCount === 0) return { scheduleId: schedule.id, runAt, status: 'already_ran', accepted: 0, deferred: 0, rejected: 0 };

  let messages: ComposedMessage[];
  try {
    messages = await composeMessages(tx, schedule, runAt, now);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await tx.query(`UPDATE schedule_runs SET status = 'failed', reason = $3 WHERE tenant_id = $1 AND schedule_id = $2 AND run_at = $4`, [tx.tenantId, schedule.id, reason, runAt]);
    return { scheduleId: schedule.id, runAt, status: 'failed', accepted: 0, deferred: 0, rejected: 0, reason };
  }
  const results = await enqueueMany(tx, messages.map((m) => m.request), { now, overflow: schedule.overflow, scheduleRun: { scheduleId: schedule.id, runAt } });
  // A refused message has no outbox row: the run keeps which group it was for and why (the outcome lists it).
  const refusals: OutcomeProblem[] = results.flatMap((r, i) => r.status === 'rejected'
    ? [{ groupId: messages[i]!.target.groupId, groupTitle: messages[i]!.target.title, status: 'refused' as const, reason: `${r.reason}: ${r.message}` }]
    : []);
  const accepted = results.filter((r) => r.status !== 'rejected' && !('deferredUntil' in r && r.deferredUntil)).length;
  const deferred = results.filter((r) => r.status === 'accepted' && r.deferredUntil).length;
  const rejected = results.filter((r) => r.status === 'rejected').length;
  await tx.query(
    `UPDATE schedule_runs SET accepted = $4, deferred = $5, rejected = $6, refusals = $7::jsonb WHERE tenant_id = $1 AND schedule_id = $2 AND run_at = $3`,
    [tx.tenantId, schedule.id, runAt, accepted, deferred, rejected, JSON.stringify(refusals)]);
  return { scheduleId: schedule.id, runAt, status: 'enqueued', accepted, deferred, rejected, ...(note ? { reason: note } : {}) };
}

async function recordRun(tx: TenantTx, scheduleId: string, runAt: Date, status: 'skipped', reason: string): Promise<RunReport> {
  await tx.query(
    `INSERT INTO schedule_runs (tenant_id, schedule_id, run_at, status, reason) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id, schedule_id, run_at) DO NOTHING`, [tx.tenantId, scheduleId, runAt, status, reason]);
  return { scheduleId, runAt, status, accepted: 0, deferred: 0, rejected: 0, reason };
}

/** A run's message and the group it is for. */
interface ComposedMessage {
  target: GroupTarget;
  request: DeliveryRequest;
}

/**
 * One message per target group, its template or composed text rendered for that group (its
 * title, member count, the bot, today's date and time in the tenant's zone) by the
 * templates' renderer. The idempotency key is schedule × occurrence × group.
 */
async function composeMessages(tx: TenantTx, schedule: Schedule, runAt: Date, now: Date): Promise<ComposedMessage[]> {
  const targets = await groupTargets(tx, schedule.groupIds);
  const content = schedule.templateId ? (await getTemplate(tx, schedule.templateId)).content : postHtml(schedule.text!, schedule.parseMode);
  const [date, time] = formatLocal(now, await getConfig(tx, 'time_zone')).split(' ');
  return Promise.all(targets.map(async (target) => ({
    target,
    request: {
      botId: target.botId,
      chatId: target.chatId,
      kind: schedule.kind,
      text: await renderTemplate(content, { group_title: target.title, member_count: target.memberCount ?? undefined, bot_username: target.botUsername, date, time }),
      parseMode: 'HTML' as const,
      ...(schedule.templateId ? { templateId: schedule.templateId } : {}),
      idempotencyKey: `schedule:${schedule.id}:${runAt.toISOString()}:${target.groupId}`,
    },
  })));
}

/** A schedule's most recent runs, newest first. */
export async function listScheduleRuns(tx: TenantTx, scheduleId: string, limit = 20): Promise<Array<Omit<RunReport, 'scheduleId'>>> {
  const { rows } = await tx.query<Omit<RunReport, 'scheduleId'>>(
    `SELECT run_at AS "runAt", status, accepted, deferred, rejected, reason FROM schedule_runs
      WHERE tenant_id = $1 AND schedule_id = $2 ORDER BY run_at DESC LIMIT $3`, [tx.tenantId, scheduleId, limit]);
  return rows;
}
