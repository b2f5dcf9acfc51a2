import type { TenantTx } from '../platform/db/index.js';
import { notifyTenant } from '../notify/index.js';
import { formatLocal, localDay, nextLocalMidnight } from './zoned-time.js';
import { quotaExhausted } from './metrics.js';
import type { QuotaOverflow } from './contract.js';

export type { QuotaOverflow } from './contract.js';

/** How far ahead `next_day` may spill: a broadcast never books more than a week of quota. */
export const maxDeferredDays = 7;

/** Share of the daily quota at which the tenant is warned. */
const warningShare = 0.8;

/** Part of a charge that landed on one tenant-local day. */
export interface QuotaAllocation {
  day: string;
  count: number;
  /** When that day starts; null for the current day (send as soon as possible). */
  startsAt: Date | null;
}

export interface QuotaCharge {
  limit: number;
  /** In day order: the first `allocations[0].count` messages go today, and so on. */
  allocations: QuotaAllocation[];
  granted: number;
  /** The last `rejected` messages of the request got no quota. */
  rejected: number;
}

export interface ChargeRequest {
  count: number;
  now: Date;
  timeZone: string;
  /** messages/day in force now (the plan's, or the Enterprise tenant's own). */
  limit: number;
  overflow: QuotaOverflow;
}

/**
 * Charges `count` messages against the tenant's daily quota, in the caller's transaction.
 * Each day's counter row is locked (upsert) before it is read, so concurrent enqueues queue
 * up on it and can never grant more than the limit between them; days are always locked in
 * ascending order, so two spilling charges cannot deadlock. Crossing 80 % and reaching
 * 100 % of a day record one notification each for that day.
 */
export async function chargeQuota(tx: TenantTx, request: ChargeRequest): Promise<QuotaCharge> {
  const allocations: QuotaAllocation[] = [];
  let remaining = request.count;
  let dayStart: Date | null = null;
  let at = request.now;
  const lastDay = request.overflow === 'next_day' ? maxDeferredDays : 0;
  for (let offset = 0; offset <= lastDay && remaining > 0; offset++) {
    const day = localDay(at, request.timeZone);
    const used = await lockDay(tx, day);
    const granted = Math.min(remaining, Math.max(0, request.limit - used));
    if (granted > 0) {
      await tx.query(`UPDATE daily_usage SET used = used + $3, updated_at = now() WHERE tenant_id = $1 AND day = $2::date`, [tx.tenantId, day, granted]);
      allocations.push({ day, count: granted, startsAt: dayStart });
      remaining -= granted;
    }
    await notifyThresholds(tx, { day, before: used, after: used + granted, limit: request.limit, refused: offset === 0 && granted < request.count, timeZone: request.timeZone, now: request.now });
    dayStart = nextLocalMidnight(at, request.timeZone);
    at = dayStart;
  }
  if (remaining > 0) quotaExhausted.inc(remaining);
  return { limit: request.limit, allocations, granted: request.count - remaining, rejected: remaining };
}

/** Gives back quota charged for messages that will never be sent (cancelled, or duplicates lost in a race). */
export async function refundQuota(tx: TenantTx, day: string, count: number): Promise<void> {
  if (count <= 0) return;
  await tx.query(`UPDATE daily_usage SET used = GREATEST(0, used - $3), updated_at = now() WHERE tenant_id = $1 AND day = $2::date`, [tx.tenantId, day, count]);
}

/** Messages charged per day from `fromDay` on (today's use and quota already booked for later days). */
export async function usageFrom(tx: TenantTx, fromDay: string): Promise<Array<{ day: string; used: number }>> {
  return (await tx.query<{ day: string; used: number }>(
    `SELECT day::text AS day, used FROM daily_usage WHERE tenant_id = $1 AND day >= $2::date ORDER BY day`, [tx.tenantId, fromDay])).rows;
}

/** Creates the day's counter if needed and locks it until commit; returns its current value. */
async function lockDay(tx: TenantTx, day: string): Promise<number> {
  const { rows } = await tx.query<{ used: number }>(
    `INSERT INTO daily_usage AS d (tenant_id, day) VALUES ($1, $2::date)
     ON CONFLICT (tenant_id, day) DO UPDATE SET updated_at = d.updated_at
     RETURNING used`, [tx.tenantId, day]);
  return rows[0]!.used;
}

async function notifyThresholds(tx: TenantTx, c: { day: string; before: number; after: number; limit: number; refused: boolean; timeZone: string; now: Date }): Promise<void> {
  const resets = formatLocal(nextLocalMidnight(c.now, c.timeZone), c.timeZone);
  const data = { day: c.day, used: c.after, limit: c.limit };
  if (c.after >= c.limit && (c.before < c.limit || c.refused)) {
    await notifyTenant(tx, {
      event: 'quota_exhausted',
      dedupeKey: `quota_exhausted:${c.day}`,
      title: `Daily message quota used up (${c.day})`,
      body: `All ${c.limit} messages of your plan for ${c.day} are used. Until the quota resets` +
        (c.day === localDay(c.now, c.timeZone) ? ` at ${resets} (${c.timeZone})` : '') +
        ` or you upgrade, replies and greetings are refused (the history shows "rejected: quota_exceeded");` +
        ` schedules and broadcasts set to overflow wait for the next day's quota.`,
      data,
    });
    return;
  }
  const warnAt = Math.ceil(c.limit * warningShare);
  if (c.before < warnAt && c.after >= warnAt) {
    await notifyTenant(tx, {
      event: 'quota_warning',
      dedupeKey: `quota_warning:${c.day}`,
      title: `80 % of the daily message quota used (${c.day})`,
      body: `${c.after} of ${c.limit} messages for ${c.day} are used. When the quota runs out, further messages are refused until it resets or you upgrade.`,
      data,
    });
  }
}
