import type { TenantTx } from '../platform/db/index.js';

export type DailyCounter = 'messages_in' | 'messages_out' | 'new_users' | 'active_users' | 'joins' | 'leaves' | 'join_requests' | 'deliveries_failed';

const counters: readonly DailyCounter[] = ['messages_in', 'messages_out', 'new_users', 'active_users', 'joins', 'leaves', 'join_requests', 'deliveries_failed'];

/** The tenant total's row in `stats_daily`; a group's row carries its chat id. */
const tenantScope = 0;

/**
 * Today's counter increments of one unit of work (one update), for the tenant total and per
 * group, added up in memory and written by `flush` in one statement (today in the tenant's
 * time zone). The caller flushes in the same transaction as the events it counted, so the
 * dashboard's numbers never drift from the history. One statement whatever was counted,
 * and a single prepared statement; it travels with the transaction's next one (nothing
 * reads the counters back there), so an update pays no round trip of its own for them.
 */
export class DailyTally {
  private readonly byScope = new Map<number, Record<DailyCounter, number>>();

  /** Counts for the tenant total and, when `chatId` is a group's, for that group too. */
  add(increments: Partial<Record<DailyCounter, number>>, chatId?: number): void {
    const scopes = chatId === undefined || chatId === tenantScope ? [tenantScope] : [tenantScope, chatId];
    for (const scope of scopes) {
      const row = this.byScope.get(scope) ?? Object.fromEntries(counters.map((c) => [c, 0])) as Record<DailyCounter, number>;
      for (const counter of counters) row[counter] += increments[counter] ?? 0;
      this.byScope.set(scope, row);
    }
  }

  flush(tx: TenantTx, timeZone: string): void {
    const rows = [...this.byScope].filter(([, row]) => counters.some((c) => row[c] !== 0));
    this.byScope.clear();
    if (rows.length === 0) return;
    tx.queryLater(
      `INSERT INTO stats_daily (tenant_id, day, chat_id, ${counters.join(', ')})
       SELECT $1, (now() AT TIME ZONE $2)::date, t.* FROM unnest($3::bigint[], ${counters.map((_, i) => `$${i + 4}::int[]`).join(', ')}) AS t
       ON CONFLICT (tenant_id, day, chat_id) DO UPDATE SET ${counters.map((c) => `${c} = stats_daily.${c} + EXCLUDED.${c}`).join(', ')}`,
      [tx.tenantId, timeZone, rows.map(([scope]) => scope), ...counters.map((c) => rows.map(([, row]) => row[c]))]);
  }
}
