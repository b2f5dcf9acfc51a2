import { listBots } from '../bots/index.js';
import { getUsage } from '../delivery/index.js';
import type { RangeInput } from '../http/date-range.js';
import { recentHistory } from '../messaging/history-query.js';
import type { TenantTx } from '../platform/db/index.js';
import { requireFeature } from '../tenancy/index.js';
import { analyticsAccess, analyticsRange } from './analytics-access.js';
import { dailyTotals, groupTotals, sumCounters } from './daily-counters.js';
import type { DashboardStats } from './contract.js';

export type { DashboardStats } from './contract.js';

export interface DashboardRequest extends RangeInput {
  breakdown?: 'group';
}

const recentActivityRows = 10;
const breakdownGroups = 100;

/**
 * The dashboard: totals and per-day series read from the daily rollups (O(days), never a
 * count over the history), bot status, today's quota, and the latest activity. What it
 * includes follows the plan; asking for more than the plan has answers 403 `plan_required`.
 */
export async function dashboardStats(tx: TenantTx, request: DashboardRequest): Promise<DashboardStats> {
  const access = await analyticsAccess(tx);
  const range = await analyticsRange(tx, access, request);
  if (request.breakdown) await requireFeature(tx, 'advanced_analytics', 'The per-group breakdown');
  const includesToday = range.startDay <= access.today && access.today <= range.endDay;
  // One query after another: a transaction is one connection (and PGlite mixes up concurrent queries on it).
  const days = await dailyTotals(tx, range.startDay, range.endDay);
  const todayRows = includesToday ? undefined : await dailyTotals(tx, access.today, access.today);
  const groups = request.breakdown ? await groupTotals(tx, range.startDay, range.endDay, breakdownGroups) : null;
  const bots = await listBots(tx);
  const quota = await getUsage(tx);
  const recentActivity = await recentHistory(tx, recentActivityRows);
  const today = (todayRows ?? days).find((d) => d.day === access.today)!;
  return {
    analytics: access.tier,
    timeZone: access.timeZone,
    range: { start: range.startDay, end: range.endDay, days: range.days },
    totals: sumCounters(days),
    today,
    series: access.series ? days : null,
    groups,
    bots: bots.map((b) => ({ id: b.id, username: b.username, status: b.status, statusReason: b.statusReason, lastUpdateAt: b.lastUpdateAt, lastSendAt: b.lastSendAt })),
    quota: { day: quota.day, limit: quota.limit, used: quota.used, remaining: quota.remaining, resetsAt: quota.resetsAt, queued: quota.queued, forecast: quota.forecast },
    recentActivity,
  };
}
