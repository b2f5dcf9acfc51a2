import { addDays } from '../http/date-range.js';
import type { TenantTx } from '../platform/db/index.js';
import type { Counters, DailyCounters, GroupCounters } from './contract.js';

export type { Counters, DailyCounters, GroupCounters } from './contract.js';

export const counterNames: ReadonlyArray<keyof Counters> = ['messagesIn', 'messagesOut', 'newUsers', 'activeUsers', 'joins', 'leaves', 'joinRequests', 'deliveriesFailed'];

const sums = `coalesce(sum(s.messages_in), 0)::int AS "messagesIn", coalesce(sum(s.messages_out), 0)::int AS "messagesOut",
  coalesce(sum(s.new_users), 0)::int AS "newUsers", coalesce(sum(s.active_users), 0)::int AS "activeUsers",
  coalesce(sum(s.joins), 0)::int AS "joins", coalesce(sum(s.leaves), 0)::int AS "leaves",
  coalesce(sum(s.join_requests), 0)::int AS "joinRequests", coalesce(sum(s.deliveries_failed), 0)::int AS "deliveriesFailed"`;

/**
 * The tenant totals (chat 0) for every day from `startDay` to `endDay`, days without
 * activity as zeros. A range scan of the rollups' primary key, one row per day: O(days),
 * whatever the history holds.
 */
export async function dailyTotals(tx: TenantTx, startDay: string, endDay: string): Promise<DailyCounters[]> {
  const { rows } = await tx.query<DailyCounters>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, messages_in AS "messagesIn", messages_out AS "messagesOut", new_users AS "newUsers",
            active_users AS "activeUsers", joins, leaves, join_requests AS "joinRequests", deliveries_failed AS "deliveriesFailed"
       FROM stats_daily WHERE day BETWEEN $1::date AND $2::date AND chat_id = 0`, [startDay, endDay]);
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const days: DailyCounters[] = [];
  for (let day = startDay; day <= endDay; day = addDays(day, 1)) days.push(byDay.get(day) ?? { day, ...zero() });
  return days;
}

function zero(): Counters {
  return Object.fromEntries(counterNames.map((n) => [n, 0])) as unknown as Counters;
}

/** Per-group sums over the days, busiest first (by messages in), at most `limit` groups. */
export async function groupTotals(tx: TenantTx, startDay: string, endDay: string, limit: number): Promise<GroupCounters[]> {
  const { rows } = await tx.query<GroupCounters>(
    `SELECT t.*, g.id AS "groupId", g.title
       FROM (SELECT s.chat_id AS "chatId", ${sums} FROM stats_daily s
              WHERE s.day BETWEEN $1::date AND $2::date AND s.chat_id <> 0
              GROUP BY s.chat_id ORDER BY sum(s.messages_in) DESC, s.chat_id LIMIT $3) t
       LEFT JOIN LATERAL (SELECT id, title FROM groups WHERE chat_id = t."chatId" ORDER BY removed_at IS NULL DESC, added_at DESC LIMIT 1) g ON true
      ORDER BY t."messagesIn" DESC, t."chatId"`, [startDay, endDay, limit]);
  return rows;
}

/** Adds the days up. `activeUsers` becomes active user-days (a person active on 3 days counts 3). */
export function sumCounters(days: readonly Counters[]): Counters {
  const total = zero();
  for (const day of days) for (const n of counterNames) total[n] += day[n];
  return total;
}
