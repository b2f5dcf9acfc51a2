import type { TenantTx } from '../platform/db/index.js';
import { getConfig, getTenantPlan } from '../tenancy/index.js';
import { recordHistory } from './history.js';
import { chargesQuota, priorityOf, type DeliveryKind } from './kinds.js';
import { textProblem } from './message-shape.js';
import { deliveries } from './metrics.js';
import { chargeQuota, refundQuota, type QuotaOverflow } from './quota.js';
import { quietHoursEffect, quietHoursOf, releaseAfterQuietHours, type QuietHoursByChat } from './quiet-hours.js';
import { checkTargets, type TargetProblem } from './targets.js';
import { formatLocal, nextLocalMidnight, windowEndAfter } from './zoned-time.js';

/** One message Kovan is asked to send on the tenant's behalf. */
export interface DeliveryRequest {
  botId: string;
  chatId: number;
  kind: DeliveryKind;
  text: string;
  parseMode?: 'HTML';
  replyToMessageId?: number;
  templateId?: string;
  /**
   * Deterministic key of the decision to send (rule × update, schedule × run × chat, …):
   * the same key enqueued again — a redelivered update, a retried run — is a `duplicate`.
   */
  idempotencyKey: string;
  /** Not sent before this instant. */
  notBefore?: Date;
}

/** Why a message was not accepted. Every rejection is also written to the history. */
export type RejectionReason =
  /** The plan's messages per day are used up; retry after the reset or upgrade. */
  | 'quota_exceeded'
  /** The subscription is suspended or cancelled: nothing is sent. */
  | 'subscription_inactive'
  /** Empty or too long for Telegram. */
  | 'message_invalid'
  /** A welcome during the group's quiet hours: not posted (planned posts wait instead). */
  | 'quiet_hours'
  | TargetProblem;

export type EnqueueResult =
  | { status: 'accepted'; id: string; /** Tenant-local day whose quota it used (null: exempt). */ quotaDay: string | null; /** Set when it waits: for a later day's quota, or for the group's quiet hours to end. */ deferredUntil?: Date }
  | { status: 'duplicate'; id: string }
  | { status: 'rejected'; reason: RejectionReason; message: string };

export interface EnqueueOptions {
  /** The clock (tests move it across midnight); default: now. */
  now?: Date;
  /** Over today's quota: refuse (default), or charge the following days and send then. */
  overflow?: QuotaOverflow;
  /** The schedule run these messages belong to (pause, cancel and the planner find them by it). */
  scheduleRun?: { scheduleId: string; runAt: Date };
}

/**
 * Accepts one message into the outbox, in the caller's transaction (the update pipeline's,
 * a route's): the quota charge, the outbox row and — when refused — the history row commit
 * or roll back together with the caller's decision. A message over the quota is refused,
 * never queued for later: a late reply is worse than none.
 */
export async function enqueueDelivery(tx: TenantTx, request: DeliveryRequest, options: Omit<EnqueueOptions, 'overflow'> = {}): Promise<EnqueueResult> {
  const [result] = await enqueueMany(tx, [request], { ...options, overflow: 'reject' });
  return result!;
}

/**
 * Accepts many messages with one quota charge (broadcasts, schedule runs). Partial
 * acceptance, in request order: the first messages that fit today's quota are accepted;
 * the rest are refused (`overflow: 'reject'`) or, with `overflow: 'next_day'`, charged to
 * the following days' quotas and held until each day starts (up to a week ahead).
 * Results are in request order.
 */
export async function enqueueMany(tx: TenantTx, requests: readonly DeliveryRequest[], options: EnqueueOptions = {}): Promise<EnqueueResult[]> {
  const now = options.now ?? new Date();
  const results: Array<EnqueueResult | undefined> = new Array(requests.length);
  const rejected: Array<{ index: number; reason: RejectionReason; message: string }> = [];
  const reject = (index: number, reason: RejectionReason, message: string) => {
    results[index] = { status: 'rejected', reason, message };
    rejected.push({ index, reason, message });
  };

  // The same key twice in one batch, or already in the outbox: a duplicate, decided before
  // anything is charged.
  const firstOfKey = new Map<string, number>();
  const open: number[] = [];
  requests.forEach((r, i) => {
    const problem = textProblem(r.text, r.parseMode) ?? keyProblem(r.idempotencyKey);
    if (problem) return reject(i, 'message_invalid', problem);
    if (firstOfKey.has(r.idempotencyKey)) return;
    firstOfKey.set(r.idempotencyKey, i);
    open.push(i);
  });
  const existing = await existingIds(tx, open.map((i) => requests[i]!.idempotencyKey));
  const candidates = open.filter((i) => {
    const id = existing.get(requests[i]!.idempotencyKey);
    if (id) results[i] = { status: 'duplicate', id };
    return !id;
  });

  const plan = await getTenantPlan(tx);
  let admitted = candidates;
  if (plan.status === 'suspended' || plan.status === 'cancelled') {
    for (const i of admitted) reject(i, 'subscription_inactive', 'The subscription is not active, so no messages are sent. Renew it to resume.');
    admitted = [];
  }
  admitted = await withoutTargetProblems(tx, requests, admitted, plan.maxGroups, reject);

  const timeZone = await getConfig(tx, 'time_zone');
  const quiet = await quietHoursOf(tx, admitted.flatMap((i) => quietHoursEffect(requests[i]!.kind) ? [requests[i]!] : []));
  admitted = admitted.filter((i) => {
    const r = requests[i]!;
    const window = quietHoursEffect(r.kind) === 'skip' ? quiet(r.botId, r.chatId) : null;
    const until = window && windowEndAfter(now, window, timeZone);
    if (until) reject(i, 'quiet_hours', `Quiet hours in this group until ${formatLocal(until, timeZone)} (${timeZone}): welcomes are not posted then.`);
    return !until;
  });
  const charged = admitted.filter((i) => chargesQuota(requests[i]!.kind));
  const charge = charged.length > 0
    ? await chargeQuota(tx, { count: charged.length, now, timeZone, limit: plan.messagesPerDay, overflow: options.overflow ?? 'reject' })
    : null;
  const booking = new Map<number, { day: string; startsAt: Date | null }>();
  let next = 0;
  for (const allocation of charge?.allocations ?? []) {
    for (let n = 0; n < allocation.count; n++) booking.set(charged[next++]!, { day: allocation.day, startsAt: allocation.startsAt });
  }
  if (charge && charge.rejected > 0) {
    const message = `The daily quota of ${charge.limit} messages is used up; it resets at ${formatLocal(nextLocalMidnight(now, timeZone), timeZone)} (${timeZone}). Upgrade the plan for more.`;
    for (const i of charged.slice(next)) reject(i, 'quota_exceeded', message);
  }

  const toInsert = admitted.filter((i) => !chargesQuota(requests[i]!.kind) || booking.has(i));
  const timing = new Map(toInsert.map((i) => [i, sendTiming(requests[i]!, booking.get(i)?.startsAt ?? null, quiet, timeZone, now)]));
  const inserted = await insertRows(tx, requests, toInsert, booking, timing, options.scheduleRun);
  const lostRaces: number[] = [];
  for (const i of toInsert) {
    const request = requests[i]!;
    const id = inserted.get(request.idempotencyKey);
    if (!id) {
      lostRaces.push(i);
      continue;
    }
    const { deferredUntil } = timing.get(i)!;
    results[i] = { status: 'accepted', id, quotaDay: booking.get(i)?.day ?? null, ...(deferredUntil ? { deferredUntil } : {}) };
  }
  if (lostRaces.length > 0) await settleLostRaces(tx, requests, lostRaces, booking, results);

  // Later copies of a key in the same batch share the first copy's fate.
  requests.forEach((r, i) => {
    if (results[i]) return;
    const first = results[firstOfKey.get(r.idempotencyKey)!]!;
    results[i] = first.status === 'rejected' ? first : { status: 'duplicate', id: first.id };
  });

  rejected.sort((a, b) => a.index - b.index);
  await recordHistory(tx, rejected.map(({ index, reason }) => {
    const r = requests[index]!;
    return { deliveryId: null, botId: r.botId, chatId: r.chatId, kind: r.kind, text: r.text, templateId: r.templateId ?? null, status: 'rejected' as const, reason, telegramMessageId: null };
  }));
  if (rejected.length > 0) deliveries.inc({ result: 'rejected' }, rejected.length);
  return results as EnqueueResult[];
}

/**
 * When a message may go: not before its own `notBefore`, the start of the later day whose
 * quota it booked, and, for planned posts, the end of the group's quiet hours at that time.
 */
function sendTiming(r: DeliveryRequest, startsAt: Date | null, quiet: QuietHoursByChat, timeZone: string, now: Date): { notBefore: Date | null; deferredUntil?: Date } {
  let notBefore = startsAt && (!r.notBefore || startsAt > r.notBefore) ? startsAt : r.notBefore ?? null;
  let deferredUntil = startsAt ?? undefined;
  if (quietHoursEffect(r.kind) === 'hold') {
    const earliest = notBefore ?? now;
    const released = releaseAfterQuietHours(earliest, quiet(r.botId, r.chatId), timeZone);
    if (released > earliest) notBefore = deferredUntil = released;
  }
  return { notBefore, ...(deferredUntil ? { deferredUntil } : {}) };
}

function keyProblem(key: string): string | null {
  return key.length >= 1 && key.length <= 200 ? null : 'the idempotency key must be 1–200 characters';
}

async function existingIds(tx: TenantTx, keys: string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const { rows } = await tx.query<{ key: string; id: string }>(
    `SELECT idempotency_key AS key, id FROM outbox WHERE tenant_id = $1 AND idempotency_key = ANY($2::text[])`, [tx.tenantId, keys]);
  return new Map(rows.map((r) => [r.key, r.id]));
}

const targetMessages: Record<TargetProblem, string> = {
  bot_unavailable: 'The bot is not connected, so it cannot send.',
  group_paused: 'The group is paused; switch it back on to send to it.',
  group_unavailable: 'The bot is no longer in this group.',
  group_limit: 'This group is beyond the number of groups your plan includes; upgrade or remove a group.',
  recipient_blocked: 'The user blocked the bot.',
};

async function withoutTargetProblems(
  tx: TenantTx, requests: readonly DeliveryRequest[], indexes: number[], maxGroups: number | null,
  reject: (index: number, reason: RejectionReason, message: string) => void,
): Promise<number[]> {
  const byBot = new Map<string, number[]>();
  for (const i of indexes) byBot.set(requests[i]!.botId, [...(byBot.get(requests[i]!.botId) ?? []), i]);
  const bad = new Set<number>();
  for (const [botId, list] of byBot) {
    const problems = await checkTargets(tx, botId, list.map((i) => requests[i]!.chatId), maxGroups);
    for (const i of list) {
      const problem = problems.get(requests[i]!.chatId);
      if (problem) {
        reject(i, problem, targetMessages[problem]);
        bad.add(i);
      }
    }
  }
  return indexes.filter((i) => !bad.has(i));
}

async function insertRows(
  tx: TenantTx, requests: readonly DeliveryRequest[], indexes: number[],
  booking: Map<number, { day: string; startsAt: Date | null }>, timing: Map<number, { notBefore: Date | null }>, run: EnqueueOptions['scheduleRun'],
): Promise<Map<string, string>> {
  if (indexes.length === 0) return new Map();
  const rows = indexes.map((i) => ({ r: requests[i]!, day: booking.get(i)?.day ?? null, notBefore: timing.get(i)!.notBefore }));
  // ON CONFLICT: a concurrent transaction may have inserted the same key since the check above.
  const { rows: inserted } = await tx.query<{ id: string; key: string }>(
    `INSERT INTO outbox (tenant_id, idempotency_key, bot_id, chat_id, kind, priority, text, parse_mode,
                         reply_to_message_id, template_id, schedule_id, run_at, quota_day, not_before)
     SELECT $1, r.key, r.bot_id, r.chat_id, r.kind, r.priority, r.text, r.parse_mode,
            r.reply_to, r.template_id, $2::uuid, $3::timestamptz, r.quota_day, COALESCE(r.not_before, now())
       FROM unnest($4::text[], $5::uuid[], $6::bigint[], $7::text[], $8::smallint[], $9::text[], $10::text[],
                   $11::bigint[], $12::uuid[], $13::date[], $14::timestamptz[])
            WITH ORDINALITY AS r(key, bot_id, chat_id, kind, priority, text, parse_mode, reply_to, template_id, quota_day, not_before, ord)
      ORDER BY r.ord
     ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
     RETURNING id, idempotency_key AS key`,
    [
      tx.tenantId, run?.scheduleId ?? null, run?.runAt ?? null,
      rows.map((x) => x.r.idempotencyKey), rows.map((x) => x.r.botId), rows.map((x) => x.r.chatId),
      rows.map((x) => x.r.kind), rows.map((x) => priorityOf(x.r.kind)), rows.map((x) => x.r.text),
      rows.map((x) => x.r.parseMode ?? null), rows.map((x) => x.r.replyToMessageId ?? null),
      rows.map((x) => x.r.templateId ?? null), rows.map((x) => x.day), rows.map((x) => x.notBefore),
    ]);
  return new Map(inserted.map((r) => [r.key, r.id]));
}

/** Keys another transaction inserted first: they are duplicates, and their quota goes back. */
async function settleLostRaces(
  tx: TenantTx, requests: readonly DeliveryRequest[], indexes: number[],
  booking: Map<number, { day: string; startsAt: Date | null }>, results: Array<EnqueueResult | undefined>,
): Promise<void> {
  const ids = await existingIds(tx, indexes.map((i) => requests[i]!.idempotencyKey));
  const refunds = new Map<string, number>();
  for (const i of indexes) {
    results[i] = { status: 'duplicate', id: ids.get(requests[i]!.idempotencyKey)! };
    const day = booking.get(i)?.day;
    if (day) refunds.set(day, (refunds.get(day) ?? 0) + 1);
  }
  for (const [day, count] of refunds) await refundQuota(tx, day, count);
}
