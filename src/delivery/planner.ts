import type { TenantTx } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { getConfig, getTenantPlan } from '../tenancy/index.js';
import { chargesQuota, isBulk, priorityOf, type DeliveryKind } from './kinds.js';
import { resolveLimits, type DeliveryLimits } from './limits.js';
import { maxDeferredDays, usageFrom, type QuotaOverflow } from './quota.js';
import { quietHoursEffect, quietHoursOf, releaseAfterQuietHours } from './quiet-hours.js';
import { simulate, type SimRow, type UnplannedReason } from './simulation.js';
import { formatLocal, localDay, nextLocalMidnight } from './zoned-time.js';
import type { DeliveryPlan, MessageEta } from './contract.js';

export type { DeliveryPlan, MessageEta } from './contract.js';

/**
 * The delivery planner: when will each message go? It replays the sender's own pacing
 * ({@link Pacer}) on a virtual clock over the queue as it stands — the unsent messages of
 * the same bots, in the sender's order — plus the messages asked about, and lets the
 * quota push what does not fit today into the following days. Before sending it answers
 * "what if" (hypothetical messages appended to the queue); during sending it plans the
 * schedule's own queued rows.
 */

/** Typical Telegram round trip the plan assumes per call (the sender waits for answers). */
export const assumedCallMs = 60;

export interface PlannedMessage {
  botId: string;
  chatId: number;
  groupId?: string;
}

export type PlanRequest =
  /** Before: these messages, of this kind, if enqueued now. */
  | { messages: readonly PlannedMessage[]; kind: DeliveryKind; overflow?: QuotaOverflow; now?: Date; limits?: Partial<DeliveryLimits>; callMs?: number }
  /** During: the unsent messages of this schedule. */
  | { scheduleId: string; now?: Date; limits?: Partial<DeliveryLimits>; callMs?: number };

/** The largest queue the planner replays; beyond it the plan would cost more than it tells. */
export const maxPlannedMessages = 20_000;

/** A 400 for a "what if" too large to replay; callers check before building the messages. */
export function assertPlannable(count: number): void {
  if (count > maxPlannedMessages) {
    throw new AppError('validation_failed', `at most ${maxPlannedMessages} messages can be planned at once`, { fields: [{ field: 'messages_per_group', message: 'too many messages in one plan' }] });
  }
}

export async function planDelivery(tx: TenantTx, request: PlanRequest): Promise<DeliveryPlan> {
  const now = request.now ?? new Date();
  const limits = resolveLimits(request.limits);
  const callMs = request.callMs ?? assumedCallMs;
  const timeZone = await getConfig(tx, 'time_zone');
  const paidBroadcast = await getConfig(tx, 'paid_broadcast');
  const { messagesPerDay } = await getTenantPlan(tx);
  const today = localDay(now, timeZone);
  const usage = new Map((await usageFrom(tx, today)).map((u) => [u.day, u.used]));
  const resetsAt = nextLocalMidnight(now, timeZone);
  const quota = { day: today, limit: messagesPerDay, used: usage.get(today) ?? 0, remaining: Math.max(0, messagesPerDay - (usage.get(today) ?? 0)), resetsAt };

  if ('messages' in request) assertPlannable(request.messages.length);
  const own = 'scheduleId' in request
    ? await scheduledRows(tx, request.scheduleId, today)
    : hypotheticalRows(request, usage, messagesPerDay, now, timeZone);
  if ('messages' in request && quietHoursEffect(request.kind) === 'hold') {
    // As enqueue will: planned posts wait for the end of each group's quiet hours.
    const quiet = await quietHoursOf(tx, own.rows);
    for (const row of own.rows) row.notBefore = releaseAfterQuietHours(new Date(row.notBefore), quiet(row.botId, row.chatId), timeZone).getTime();
  }
  const bots = [...new Set(own.rows.map((r) => r.botId))];
  const ahead = await queuedAhead(tx, bots, 'scheduleId' in request ? request.scheduleId : null);
  const sim: SimRow[] = [
    ...ahead.map((r, i) => ({ ...r, ref: -1 - i, paid: paidBroadcast && isBulk(r.kind) })),
    ...own.rows.flatMap((r, i) => r.eta === 'simulate' ? [{ ref: i, botId: r.botId, chatId: r.chatId, priority: r.priority, seq: r.seq, notBefore: r.notBefore, paid: paidBroadcast && isBulk(r.kind) }] : []),
  ].slice(0, maxPlannedMessages);
  const { outcomes } = simulate(sim, limits, callMs, now.getTime());

  const result: MessageEta[] = own.rows.map((r, i) => {
    const base = { chatId: r.chatId, ...(r.groupId ? { groupId: r.groupId } : {}), ...(r.deliveryId ? { deliveryId: r.deliveryId } : {}), day: r.day };
    if (r.eta === 'none') return { ...base, eta: null, state: r.state };
    const outcome = outcomes.get(i);
    if (outcome?.eta != null) return { ...base, eta: new Date(outcome.eta), state: r.state };
    return { ...base, eta: null, state: 'unplanned', reason: outcome?.reason ?? 'queue_too_long' };
  });
  const timed = result.flatMap((m) => (m.eta ? [m.eta.getTime()] : []));
  const plan: DeliveryPlan = {
    timeZone,
    messages: result.length,
    ...own.done,
    firstAt: timed.length ? new Date(timed.reduce((a, b) => Math.min(a, b))) : null,
    finishesAt: timed.length ? new Date(timed.reduce((a, b) => Math.max(a, b))) : null,
    today: result.filter((m) => m.state === 'today').length,
    laterDays: result.filter((m) => m.state === 'later_day').length,
    overQuota: result.filter((m) => m.state === 'over_quota').length,
    paused: result.filter((m) => m.state === 'paused').length,
    unplanned: result.filter((m) => m.state === 'unplanned').length,
    quota,
    etas: result,
    summary: '',
  };
  plan.summary = summarize(plan);
  return plan;
}

interface OwnRow {
  botId: string;
  chatId: number;
  groupId?: string;
  deliveryId?: string;
  kind: DeliveryKind;
  priority: number;
  seq: number;
  notBefore: number;
  day: string | null;
  state: MessageEta['state'];
  eta: 'simulate' | 'none';
}

/** Hypothetical messages join the end of the queue; the quota books them day by day as enqueue would. */
function hypotheticalRows(
  request: Extract<PlanRequest, { messages: unknown }>, usage: Map<string, number>, limit: number, now: Date, timeZone: string,
): { rows: OwnRow[]; done: Record<string, never> } {
  const charged = chargesQuota(request.kind);
  const lastDay = (request.overflow ?? 'next_day') === 'next_day' ? maxDeferredDays : 0;
  let offset = 0;
  let dayStart: Date | null = null;
  let day = localDay(now, timeZone);
  let left = Math.max(0, limit - (usage.get(day) ?? 0));
  const rows = request.messages.map((m, i): OwnRow => {
    const base = { botId: m.botId, chatId: m.chatId, ...(m.groupId ? { groupId: m.groupId } : {}), kind: request.kind, priority: priorityOf(request.kind), seq: Number.MAX_SAFE_INTEGER - request.messages.length + i };
    if (!charged) return { ...base, notBefore: now.getTime(), day: null, state: 'today', eta: 'simulate' };
    while (left === 0 && offset < lastDay) {
      dayStart = nextLocalMidnight(dayStart ?? now, timeZone);
      day = localDay(dayStart, timeZone);
      left = Math.max(0, limit - (usage.get(day) ?? 0));
      offset += 1;
    }
    if (left === 0) return { ...base, notBefore: now.getTime(), day: null, state: 'over_quota', eta: 'none' };
    left -= 1;
    return { ...base, notBefore: (dayStart ?? now).getTime(), day, state: dayStart ? 'later_day' : 'today', eta: 'simulate' };
  });
  return { rows, done: {} };
}

/** The schedule's messages as they stand: unsent ones are planned, finished ones counted. */
async function scheduledRows(tx: TenantTx, scheduleId: string, today: string): Promise<{ rows: OwnRow[]; done: { sent: number; failed: number } }> {
  const { rows } = await tx.query<{ id: string; botId: string; chatId: number; kind: DeliveryKind; priority: number; seq: number; notBefore: Date; day: string | null; status: string }>(
    `SELECT id, bot_id AS "botId", chat_id AS "chatId", kind, priority, seq, not_before AS "notBefore", quota_day::text AS day, status
       FROM outbox WHERE tenant_id = $1 AND schedule_id = $2 ORDER BY priority, seq`, [tx.tenantId, scheduleId]);
  const unsent = rows.filter((r) => ['queued', 'claimed', 'sending', 'paused'].includes(r.status));
  return {
    rows: unsent.map((r) => ({
      botId: r.botId, chatId: r.chatId, deliveryId: r.id, kind: r.kind, priority: r.priority, seq: r.seq, notBefore: r.notBefore.getTime(), day: r.day,
      state: r.status === 'paused' ? 'paused' : r.day !== null && r.day > today ? 'later_day' : 'today',
      eta: r.status === 'paused' ? 'none' : 'simulate',
    })),
    done: { sent: rows.filter((r) => r.status === 'sent').length, failed: rows.filter((r) => r.status === 'failed').length },
  };
}

/** Unsent messages of the same bots that the sender will take first or alongside (other schedules, replies). */
async function queuedAhead(tx: TenantTx, botIds: string[], exceptSchedule: string | null): Promise<Array<Omit<SimRow, 'ref' | 'paid'> & { kind: DeliveryKind }>> {
  if (botIds.length === 0) return [];
  const { rows } = await tx.query<{ botId: string; chatId: number; kind: DeliveryKind; priority: number; seq: number; notBefore: Date }>(
    `SELECT bot_id AS "botId", chat_id AS "chatId", kind, priority, seq, not_before AS "notBefore"
       FROM outbox WHERE tenant_id = $1 AND bot_id = ANY($2::uuid[]) AND status IN ('queued', 'claimed', 'sending')
        AND ($3::uuid IS NULL OR schedule_id IS DISTINCT FROM $3::uuid)
      ORDER BY priority, seq LIMIT $4`, [tx.tenantId, botIds, exceptSchedule, maxPlannedMessages]);
  return rows.map((r) => ({ ...r, notBefore: r.notBefore.getTime() }));
}

function summarize(plan: DeliveryPlan): string {
  const parts: string[] = [];
  if (plan.finishesAt) parts.push(`Finishes at ${formatLocal(plan.finishesAt, plan.timeZone)} (${plan.timeZone})`);
  else if (plan.messages === 0) parts.push('Nothing to send');
  if (plan.laterDays > 0) parts.push(`${plan.laterDays} message${plan.laterDays === 1 ? '' : 's'} exceed today's quota and would go on the following day${plan.laterDays === 1 ? '' : 's'}`);
  if (plan.overQuota > 0) parts.push(`${plan.overQuota} message${plan.overQuota === 1 ? '' : 's'} exceed the quota and would be refused`);
  if (plan.paused > 0) parts.push(`${plan.paused} held while the schedule is paused`);
  if (plan.unplanned > 0) parts.push(`${plan.unplanned} message${plan.unplanned === 1 ? '' : 's'} could not be planned`);
  return parts.join('; ') + '.';
}
