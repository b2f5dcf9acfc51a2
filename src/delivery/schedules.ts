import { Cron } from 'croner';
import type { TenantTx } from '../platform/db/index.js';
import { AppError, notFound, type FieldProblem } from '../platform/errors.js';
import { Minute } from '../platform/time.js';
import { escapeTelegramHtml, getTemplate, groupPostVariables, isAdvancedTemplate, templateProblem } from '../templates/index.js';
import { getConfig, recordAudit, requireFeature } from '../tenancy/index.js';
import { recordHistory } from './history.js';
import { deliveries } from './metrics.js';
import { refundQuota } from './quota.js';
import type { QuotaOverflow, Schedule, ScheduleStatus } from './contract.js';
import { isTimeZone } from '../platform/time.js';

export type { Schedule, ScheduleStatus } from './contract.js';

/** What a tenant sets on a schedule. Exactly one of templateId/text, exactly one of runAt/cron. */
export interface ScheduleInput {
  name: string;
  templateId?: string | null;
  text?: string | null;
  /** For composed text: HTML or plain (null). Default: the tenant's `default_parse_mode`. Templates are always HTML. */
  parseMode?: 'HTML' | null;
  groupIds: string[];
  runAt?: Date | null;
  /** Five fields (minute precision), e.g. `0 9 * * 1-5`. */
  cron?: string | null;
  timeZone?: string | null;
  /** Messages over the day's quota: sent on the following days (default) or refused. */
  overflow?: QuotaOverflow;
}

export interface ScheduleContext {
  memberId?: string;
  now?: Date;
}

/** A one-off time this far in the past is a mistake, not "now". */
const pastTolerance = 1 * Minute;

const columns = `id, name, delivery_kind AS kind, template_id AS "templateId", text, parse_mode AS "parseMode",
  group_ids AS "groupIds", run_at AS "runAt", cron, time_zone AS "timeZone", overflow, status,
  next_run_at AS "nextRunAt", last_run_at AS "lastRunAt", created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * Creates a schedule (or, with `kind: 'broadcast'`, the one-off behind a broadcast). With an
 * `idempotencyKey` a repeated request returns the schedule the first one made (`created: false`).
 */
export async function createSchedule(
  tx: TenantTx, input: ScheduleInput, context: ScheduleContext & { kind?: Schedule['kind']; idempotencyKey?: string } = {},
): Promise<{ schedule: Schedule; created: boolean }> {
  const now = context.now ?? new Date();
  if (context.idempotencyKey) {
    const { rows } = await tx.query<Schedule>(`SELECT ${columns} FROM schedules WHERE tenant_id = $1 AND idempotency_key = $2`, [tx.tenantId, context.idempotencyKey]);
    if (rows[0]) return { schedule: rows[0], created: false };
  }
  const checked = await checkSchedule(tx, input, now);
  const { rows } = await tx.query<Schedule>(
    `INSERT INTO schedules (tenant_id, name, delivery_kind, template_id, text, parse_mode, group_ids, run_at, cron, time_zone,
                            overflow, next_run_at, idempotency_key, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7::uuid[], $8, $9, $10, $11, $12, $13, $14)
     RETURNING ${columns}`,
    [tx.tenantId, checked.name, context.kind ?? 'scheduled', checked.templateId, checked.text, checked.parseMode, checked.groupIds,
      checked.runAt, checked.cron, checked.timeZone, checked.overflow, checked.nextRunAt, context.idempotencyKey ?? null, context.memberId ?? null]);
  const schedule = rows[0]!;
  await recordAudit(tx, { memberId: context.memberId, action: 'schedule.created', entity: 'schedule', entityId: schedule.id, after: schedule });
  return { schedule, created: true };
}

/** The schedule, or a 404 (also for another tenant's id). */
export async function getSchedule(tx: TenantTx, id: string): Promise<Schedule> {
  const { rows } = await tx.query<Schedule>(`SELECT ${columns} FROM schedules WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, id]);
  if (!rows[0]) throw notFound('Schedule');
  return rows[0];
}

/** Newest first; `before` (the last row of the previous page) continues after it. */
export async function listSchedules(tx: TenantTx, options: { status?: ScheduleStatus; limit?: number; before?: { createdAt: Date; id: string } } = {}): Promise<Schedule[]> {
  const { rows } = await tx.query<Schedule>(
    `SELECT ${columns} FROM schedules
      WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2)
        AND ($3::timestamptz IS NULL OR (date_trunc('milliseconds', created_at), id) < ($3, $4::uuid))
      ORDER BY date_trunc('milliseconds', created_at) DESC, id DESC LIMIT $5`,
    [tx.tenantId, options.status ?? null, options.before?.createdAt ?? null, options.before?.id ?? null, options.limit ?? 50]);
  return rows;
}

/**
 * Changes what, where or when. Only an active or paused schedule can change; a new time
 * recomputes the next run. Messages already queued by earlier runs are not rewritten.
 */
export async function updateSchedule(tx: TenantTx, id: string, changes: Partial<ScheduleInput>, context: ScheduleContext = {}): Promise<Schedule> {
  const now = context.now ?? new Date();
  const before = await lockSchedule(tx, id);
  if (before.status !== 'active' && before.status !== 'paused') throw new AppError('conflict', `A ${before.status} schedule cannot be changed`);
  const content = changes.templateId !== undefined || changes.text !== undefined
    ? { templateId: changes.templateId ?? null, text: changes.text ?? null }
    : { templateId: before.templateId, text: before.text };
  const timing = changes.runAt !== undefined || changes.cron !== undefined
    ? { runAt: changes.runAt ?? null, cron: changes.cron ?? null }
    : { runAt: before.runAt, cron: before.cron };
  const checked = await checkSchedule(tx, {
    name: changes.name ?? before.name,
    ...content,
    parseMode: changes.parseMode !== undefined ? changes.parseMode : before.parseMode,
    groupIds: changes.groupIds ?? before.groupIds,
    ...timing,
    timeZone: changes.timeZone !== undefined ? changes.timeZone : before.timeZone,
    overflow: changes.overflow ?? before.overflow,
  }, now, before.lastRunAt !== null && timing.runAt !== null && timing.runAt.getTime() === before.runAt?.getTime());
  const retimed = changes.runAt !== undefined || changes.cron !== undefined || changes.timeZone !== undefined;
  const { rows } = await tx.query<Schedule>(
    `UPDATE schedules SET name = $3, template_id = $4, text = $5, parse_mode = $6, group_ids = $7::uuid[], run_at = $8, cron = $9,
                          time_zone = $10, overflow = $11, next_run_at = CASE WHEN $12 THEN $13 ELSE next_run_at END, updated_at = now()
      WHERE tenant_id = $1 AND id = $2 RETURNING ${columns}`,
    [tx.tenantId, id, checked.name, checked.templateId, checked.text, checked.parseMode, checked.groupIds, checked.runAt, checked.cron,
      checked.timeZone, checked.overflow, retimed, checked.nextRunAt]);
  await recordAudit(tx, { memberId: context.memberId, action: 'schedule.updated', entity: 'schedule', entityId: id, before, after: rows[0] });
  return rows[0]!;
}

/**
 * Stops runs and holds the schedule's unsent messages (a broadcast in progress stops
 * between two messages). Resume continues both.
 */
export async function pauseSchedule(tx: TenantTx, id: string, context: ScheduleContext = {}): Promise<Schedule> {
  const before = await lockSchedule(tx, id);
  if (before.status !== 'active' && before.status !== 'completed') throw new AppError('conflict', `A ${before.status} schedule cannot be paused`);
  await tx.query(
    `UPDATE outbox SET status = 'paused', claimed_by = NULL, claim_epoch = NULL, claim_expires_at = NULL
      WHERE tenant_id = $1 AND schedule_id = $2 AND status IN ('queued', 'claimed')`, [tx.tenantId, id]);
  return setStatus(tx, before, 'paused', null, context.memberId, 'schedule.paused');
}

/**
 * Releases held messages and restarts runs. Occurrences that fell in the pause are not
 * made up: a recurring schedule continues with its next occurrence after now.
 */
export async function resumeSchedule(tx: TenantTx, id: string, context: ScheduleContext = {}): Promise<Schedule> {
  const now = context.now ?? new Date();
  const before = await lockSchedule(tx, id);
  if (before.status !== 'paused') throw new AppError('conflict', `Only a paused schedule can be resumed; this one is ${before.status}`);
  await tx.query(`UPDATE outbox SET status = 'queued' WHERE tenant_id = $1 AND schedule_id = $2 AND status = 'paused'`, [tx.tenantId, id]);
  const next = before.cron
    ? nextOccurrence(before.cron, await zoneOf(tx, before), now)
    : before.lastRunAt === null ? before.runAt : null;
  return setStatus(tx, before, next === null ? 'completed' : 'active', next, context.memberId, 'schedule.resumed');
}

/**
 * Ends the schedule for good: no more runs, and its unsent messages are cancelled (their
 * quota is given back to the day they were charged to, and the history shows them).
 */
export async function cancelSchedule(tx: TenantTx, id: string, context: ScheduleContext = {}): Promise<Schedule> {
  const before = await lockSchedule(tx, id);
  if (before.status === 'cancelled') throw new AppError('conflict', 'The schedule is already cancelled');
  await cancelUnsent(tx, id);
  return setStatus(tx, before, 'cancelled', null, context.memberId, 'schedule.cancelled');
}

/** Cancels the schedule's unsent messages and deletes it with its run log. */
export async function deleteSchedule(tx: TenantTx, id: string, context: ScheduleContext = {}): Promise<void> {
  const before = await lockSchedule(tx, id);
  await cancelUnsent(tx, id);
  await tx.query(`DELETE FROM schedules WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, id]);
  await recordAudit(tx, { memberId: context.memberId, action: 'schedule.deleted', entity: 'schedule', entityId: id, before });
}

/** The next occurrence of a five-field cron after `after`, in `timeZone` (DST as croner resolves it). */
export function nextOccurrence(cron: string, timeZone: string, after: Date): Date | null {
  return new Cron(cron, { timezone: timeZone, paused: true }).nextRun(after);
}

/** The zone a schedule's cron runs in: its own, or the tenant's. */
export async function zoneOf(tx: TenantTx, schedule: Pick<Schedule, 'timeZone'>): Promise<string> {
  return schedule.timeZone ?? (await getConfig(tx, 'time_zone'));
}

/** Locks the schedule row for the rest of the transaction: its state changes one at a time. */
export async function lockSchedule(tx: TenantTx, id: string): Promise<Schedule> {
  const { rows } = await tx.query<Schedule>(`SELECT ${columns} FROM schedules WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [tx.tenantId, id]);
  if (!rows[0]) throw notFound('Schedule');
  return rows[0];
}

/** Records that an occurrence was handled and moves the schedule to its next one. */
export async function advanceSchedule(tx: TenantTx, schedule: Schedule, ranFor: Date, after: Date): Promise<Schedule> {
  const next = schedule.cron ? nextOccurrence(schedule.cron, await zoneOf(tx, schedule), after) : null;
  const { rows } = await tx.query<Schedule>(
    `UPDATE schedules SET last_run_at = $3, next_run_at = $4, status = CASE WHEN $4::timestamptz IS NULL THEN 'completed' ELSE status END, updated_at = now()
      WHERE tenant_id = $1 AND id = $2 RETURNING ${columns}`,
    [tx.tenantId, schedule.id, ranFor, next]);
  return rows[0]!;
}

async function setStatus(tx: TenantTx, before: Schedule, status: ScheduleStatus, nextRunAt: Date | null, memberId: string | undefined, action: string): Promise<Schedule> {
  const { rows } = await tx.query<Schedule>(
    `UPDATE schedules SET status = $3, next_run_at = $4, updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING ${columns}`,
    [tx.tenantId, before.id, status, nextRunAt]);
  await recordAudit(tx, { memberId, action, entity: 'schedule', entityId: before.id, before: { status: before.status }, after: { status } });
  return rows[0]!;
}

async function cancelUnsent(tx: TenantTx, scheduleId: string): Promise<void> {
  const { rows } = await tx.query<{ id: string; botId: string; chatId: number; kind: string; text: string; templateId: string | null; quotaDay: string | null }>(
    `UPDATE outbox SET status = 'cancelled', reason = 'schedule_cancelled', finished_at = now(), claimed_by = NULL, claim_epoch = NULL, claim_expires_at = NULL
      WHERE tenant_id = $1 AND schedule_id = $2 AND status IN ('queued', 'claimed', 'paused')
      RETURNING id, bot_id AS "botId", chat_id AS "chatId", kind, text, template_id AS "templateId", quota_day::text AS "quotaDay"`,
    [tx.tenantId, scheduleId]);
  const refunds = new Map<string, number>();
  for (const r of rows) if (r.quotaDay) refunds.set(r.quotaDay, (refunds.get(r.quotaDay) ?? 0) + 1);
  for (const [day, count] of [...refunds].sort()) await refundQuota(tx, day, count);
  await recordHistory(tx, rows.map((r) => ({ deliveryId: r.id, botId: r.botId, chatId: r.chatId, kind: r.kind, text: r.text, templateId: r.templateId, status: 'cancelled' as const, reason: 'schedule_cancelled', telegramMessageId: null })));
  if (rows.length > 0) deliveries.inc({ result: 'cancelled' }, rows.length);
}

/**
 * A post's text as the Telegram HTML it is rendered and sent as: composed plain text is
 * escaped, so one renderer fills the variables of both and the characters stay as typed.
 */
export function postHtml(text: string, parseMode: 'HTML' | null): string {
  return parseMode === 'HTML' ? text : escapeTelegramHtml(text);
}

/** A schedule's input after validation: the stored fields it decides. */
type CheckedSchedule = Pick<Schedule, 'name' | 'templateId' | 'text' | 'parseMode' | 'groupIds' | 'runAt' | 'cron' | 'timeZone' | 'overflow' | 'nextRunAt'>;

/** Validates a whole schedule, reporting every problem at once as a 400 naming the fields. */
async function checkSchedule(tx: TenantTx, input: ScheduleInput, now: Date, alreadyRan = false): Promise<CheckedSchedule> {
  const problems: FieldProblem[] = [];
  const templateId = input.templateId ?? null;
  const text = input.text ?? null;
  if ((templateId === null) === (text === null)) problems.push({ field: 'template_id', message: 'give either template_id or text, not both' });
  const template = templateId !== null ? await getTemplate(tx, templateId).catch(() => null) : null;
  if (templateId !== null && !template) problems.push({ field: 'template_id', message: 'no such template' });
  const parseMode = templateId !== null ? 'HTML' : input.parseMode !== undefined ? input.parseMode : (await getConfig(tx, 'default_parse_mode')) === 'HTML' ? 'HTML' : null;
  // Checked as it will be sent: rendered per group with what a group post can fill.
  const content = template ? { field: 'template_id', html: template.content } : text !== null ? { field: 'text', html: postHtml(text, parseMode) } : null;
  const contentProblem = content && await templateProblem(content.html, groupPostVariables);
  if (content && contentProblem) problems.push({ field: content.field, message: `line ${contentProblem.line}: ${contentProblem.message}` });

  const groupIds = [...new Set(input.groupIds)];
  if (groupIds.length > 0) {
    const { rows } = await tx.query<{ id: string }>(`SELECT id FROM groups WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND NOT try_it`, [tx.tenantId, groupIds]);
    const known = new Set(rows.map((r) => r.id));
    const unknown = groupIds.filter((id) => !known.has(id));
    if (unknown.length > 0) problems.push({ field: 'group_ids', message: `not your groups: ${unknown.join(', ')}` });
  }

  const runAt = input.runAt ?? null;
  const cron = input.cron?.trim() || null;
  const timeZone = input.timeZone ?? null;
  let nextRunAt: Date | null = null;
  if ((runAt === null) === (cron === null)) problems.push({ field: 'run_at', message: 'give either run_at (once) or cron (recurring), not both' });
  if (timeZone !== null && !isTimeZone(timeZone)) problems.push({ field: 'time_zone', message: 'unknown IANA time zone' });
  if (runAt !== null) {
    if (!alreadyRan && runAt.getTime() < now.getTime() - pastTolerance) problems.push({ field: 'run_at', message: 'is in the past' });
    nextRunAt = alreadyRan ? null : runAt;
  }
  if (cron !== null && (timeZone === null || isTimeZone(timeZone))) {
    const zone = timeZone ?? (await getConfig(tx, 'time_zone'));
    if (cron.split(/\s+/).length !== 5) {
      problems.push({ field: 'cron', message: 'five fields: minute hour day-of-month month day-of-week' });
    } else {
      try {
        nextRunAt = nextOccurrence(cron, zone, now);
        if (nextRunAt === null) problems.push({ field: 'cron', message: 'never occurs' });
      } catch (error) {
        problems.push({ field: 'cron', message: error instanceof Error ? error.message : 'not a cron expression' });
      }
    }
  }
  if (problems.length > 0) throw new AppError('validation_failed', problems.map((p) => `${p.field}: ${p.message}`).join('; '), { fields: problems });
  if (text !== null && isAdvancedTemplate(text)) await requireFeature(tx, 'advanced_templates', 'Conditions and filters in a post');
  return { name: input.name, templateId, text, parseMode, groupIds, runAt, cron, timeZone, overflow: input.overflow ?? 'next_day', nextRunAt };
}
