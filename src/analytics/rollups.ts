import type { TenantTx } from '../platform/db/index.js';

export type DailyCounter = 'messages_in' | 'messages_out' | 'new_users' | 'active_users' | 'joins' | 'leaves' | 'join_requests' | 'deliveries_failed';

const counters = new Set<DailyCounter>(['messages_in', 'messages_out', 'new_users', 'active_users', 'joins', 'leaves', 'join_requests', 'deliveries_failed']);

/**
 * Adds to today's counters (today in the tenant's time zone) for the tenant total and,
 * when `chatId` is given, for that group too. Called in the same transaction as the event
 * it counts, so the dashboard's numbers never drift from the history.
 */
export async function bumpDaily(tx: TenantTx, timeZone: string, increments: Partial<Record<DailyCounter, number>>, chatId?: number): Promise<void> {
  const entries = Object.entries(increments).filter(([k, v]) => counters.has(k as DailyCounter) && v) as Array<[DailyCounter, number]>;
  if (entries.length === 0) return;
  const names = entries.map(([k]) => k);
  const values = entries.map(([, v]) => v);
  const set = names.map((n) => `${n} = stats_daily.${n} + EXCLUDED.${n}`).join(', ');
  const scopes = chatId === undefined || chatId === 0 ? [0] : [0, chatId];
  await tx.query(
    `INSERT INTO stats_daily (tenant_id, day, chat_id, ${names.join(', ')})
     SELECT $1, (now() AT TIME ZONE $2)::date, scope, ${values.map((_, i) => `$${i + 4}::int`).join(', ')}
       FROM unnest($3::bigint[]) AS scope
     ON CONFLICT (tenant_id, day, chat_id) DO UPDATE SET ${set}`,
    [tx.tenantId, timeZone, scopes, ...values]);
}
