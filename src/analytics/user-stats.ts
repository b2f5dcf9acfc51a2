import type { RangeInput } from '../http/date-range.js';
import { startOfLocalDay, addDays } from '../http/date-range.js';
import type { TenantTx } from '../platform/db/index.js';
import { analyticsAccess, analyticsRange } from './analytics-access.js';
import { dailyTotals, groupTotals } from './daily-counters.js';
import type { AudienceSize, RetentionCohort, UserDay, UserStats } from './contract.js';

export type { AudienceSize, RetentionCohort, UserDay, UserStats } from './contract.js';

const topGroupCount = 10;

/**
 * The audience: its size, new and active people per day (from the daily rollups), the
 * busiest groups and weekly retention. Gated like the dashboard.
 */
export async function userStats(tx: TenantTx, request: RangeInput): Promise<UserStats> {
  const access = await analyticsAccess(tx);
  const range = await analyticsRange(tx, access, request);
  const audience = await audienceSize(tx);
  const days = await dailyTotals(tx, range.startDay, range.endDay);
  const todayRows = await dailyTotals(tx, access.today, access.today);
  const topGroups = access.breakdown ? await groupTotals(tx, range.startDay, range.endDay, topGroupCount) : null;
  const retention = access.breakdown
    ? await retentionCohorts(tx, startOfLocalDay(range.startDay, access.timeZone), startOfLocalDay(addDays(range.endDay, 1), access.timeZone), access.timeZone)
    : null;
  const userDay = (d: { day: string; newUsers: number; activeUsers: number }): UserDay => ({ day: d.day, newUsers: d.newUsers, activeUsers: d.activeUsers });
  return {
    analytics: access.tier,
    timeZone: access.timeZone,
    range: { start: range.startDay, end: range.endDay, days: range.days },
    audience,
    today: userDay(todayRows[0]!),
    series: access.series ? days.map(userDay) : null,
    topGroups,
    retention,
  };
}

async function audienceSize(tx: TenantTx): Promise<AudienceSize> {
  const { rows } = await tx.query<AudienceSize>(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE started_at IS NOT NULL AND blocked_at IS NULL)::int AS reachable,
            count(blocked_at)::int AS blocked
       FROM tg_users WHERE NOT is_bot`);
  return rows[0]!;
}

async function retentionCohorts(tx: TenantTx, from: Date, to: Date, timeZone: string): Promise<RetentionCohort[]> {
  const { rows } = await tx.query<RetentionCohort>(
    `SELECT to_char(week, 'YYYY-MM-DD') AS week, users,
            CASE WHEN now() >= week_end + interval '1 day' THEN d1 END AS "returnedAfter1Day",
            CASE WHEN now() >= week_end + interval '7 days' THEN d7 END AS "returnedAfter7Days",
            CASE WHEN now() >= week_end + interval '30 days' THEN d30 END AS "returnedAfter30Days"
       FROM (SELECT date_trunc('week', first_seen_at AT TIME ZONE $3)::date AS week,
                    (date_trunc('week', first_seen_at AT TIME ZONE $3) + interval '7 days') AT TIME ZONE $3 AS week_end,
                    count(*)::int AS users,
                    count(*) FILTER (WHERE last_seen_at >= first_seen_at + interval '1 day')::int AS d1,
                    count(*) FILTER (WHERE last_seen_at >= first_seen_at + interval '7 days')::int AS d7,
                    count(*) FILTER (WHERE last_seen_at >= first_seen_at + interval '30 days')::int AS d30
               FROM tg_users
              WHERE first_seen_at >= $1 AND first_seen_at < $2 AND NOT is_bot
              GROUP BY 1, 2) c
      ORDER BY week`, [from, to, timeZone]);
  return rows;
}
