import type { TenantTx } from '../platform/db/index.js';
import { Hour } from '../platform/time.js';
import { getConfig, getTenantPlan, type TenantPlan } from '../tenancy/index.js';
import { usageFrom } from './quota.js';
import { localDay, nextLocalMidnight } from './zoned-time.js';
import type { Usage } from './contract.js';

export type { Usage } from './contract.js';

/**
 * Today's quota. A caller that already read the tenant's zone or plan in this transaction
 * (the dashboard) passes them and saves their round trips.
 */
export async function getUsage(tx: TenantTx, options: { now?: Date; timeZone?: string; plan?: TenantPlan } = {}): Promise<Usage> {
  const now = options.now ?? new Date();
  const timeZone = options.timeZone ?? (await getConfig(tx, 'time_zone'));
  const plan = options.plan ?? (await getTenantPlan(tx));
  const day = localDay(now, timeZone);
  const [todayRow, ...later] = await usageFrom(tx, day);
  const used = todayRow?.day === day ? todayRow.used : 0;
  const booked = todayRow?.day === day ? later : [todayRow, ...later].filter((r) => r !== undefined);
  const { rows } = await tx.query<{ queued: number; groups: number }>(
    `SELECT (SELECT count(*)::int FROM outbox WHERE tenant_id = $1 AND quota_day = $2::date AND status IN ('queued', 'claimed', 'sending', 'paused')) AS queued,
            (SELECT count(*)::int FROM groups WHERE tenant_id = $1 AND removed_at IS NULL AND NOT try_it) AS groups`, [tx.tenantId, day]);
  const resetsAt = nextLocalMidnight(now, timeZone);
  const remaining = Math.max(0, plan.messagesPerDay - used);
  return {
    day, timeZone, limit: plan.messagesPerDay, used, remaining, resetsAt,
    queued: rows[0]?.queued ?? 0,
    booked,
    forecast: forecast(used, remaining, dayStart(now, timeZone).getTime(), now.getTime(), resetsAt.getTime()),
    groups: { used: rows[0]?.groups ?? 0, limit: plan.maxGroups },
  };
}

/** Linear in the day's elapsed time: good enough to say "at this pace you run out at 17:40". */
function forecast(used: number, remaining: number, start: number, now: number, end: number): Usage['forecast'] {
  const elapsed = now - start;
  if (used === 0 || elapsed <= 0) return { projectedUsed: used, exhaustsAt: null };
  const perMs = used / elapsed;
  const exhaustsAt = remaining === 0 ? new Date(now) : now + remaining / perMs < end ? new Date(now + remaining / perMs) : null;
  return { projectedUsed: Math.round(used + perMs * (end - now)), exhaustsAt };
}

/** The last local midnight at or before `now` (days are 23–25 hours around DST changes). */
function dayStart(now: Date, timeZone: string): Date {
  let start = nextLocalMidnight(new Date(now.getTime() - 26 * Hour), timeZone);
  for (let next = nextLocalMidnight(start, timeZone); next <= now; next = nextLocalMidnight(next, timeZone)) start = next;
  return start;
}
