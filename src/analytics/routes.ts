import { z } from 'zod';
import { csvResponse, sendCsv, toCsv, wantsCsv } from '../http/csv.js';
import { dateRangeQuery } from '../http/date-range.js';
import type { Api, Services } from '../http/types.js';
import type { TenantTx } from '../platform/db/index.js';
import { requireFeature } from '../tenancy/index.js';
import { dashboardStats } from './dashboard.js';
import { counterNames, type Counters } from './daily-counters.js';
import { userStats } from './user-stats.js';
import { dashboardStatsSchema, userStatsSchema } from './contract.js';

const format = z.enum(['json', 'csv']).optional();

const counterColumns = counterNames.map((name) => [name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), (row: Counters) => row[name]] as const);

/**
 * Numbers: the customer's `/api/dashboard/stats` and `/api/users/stats`, read from the
 * daily rollups and gated by plan (see analytics-access.ts for what each plan sees).
 */
export function analyticsRoutes(api: Api, services: Services): void {
  /** Reads in the tenant's scope; CSV is a Premium report, checked in the same transaction. */
  const readStats = <T>(tenantId: string, csv: boolean, read: (tx: TenantTx) => Promise<T>) => services.db.withTenant(tenantId, async (tx) => {
    if (csv) await requireFeature(tx, 'reports', 'CSV export');
    return read(tx);
  });

  api.get('/api/dashboard/stats', {
    schema: {
      summary: 'Totals and per-day series (messages in/out, new and active users, joins, failed deliveries), bot status, quota and recent activity',
      description: 'Basic: the last 7 days as totals. Advanced: daily series, up to 30 days back. Premium: up to a year back, `breakdown=group`, and CSV (`format=csv`). Asking beyond the plan answers 403 `plan_required` with `details.requiredPlan`.',
      tags: ['analytics'],
      querystring: z.strictObject({ ...dateRangeQuery, breakdown: z.enum(['group']).optional(), format }),
      response: { 200: csvResponse(dashboardStatsSchema) },
    },
  }, async (request, reply) => {
    const csv = wantsCsv(request, request.query.format);
    const stats = await readStats(request.principal!.tenantId, csv, (tx) => dashboardStats(tx, request.query));
    if (!csv) return stats;
    if (stats.groups) {
      return sendCsv(reply, `groups-${stats.range.start}-${stats.range.end}.csv`,
        toCsv([['chat_id', (r) => r.chatId], ['group_id', (r) => r.groupId], ['title', (r) => r.title], ...counterColumns], stats.groups));
    }
    return sendCsv(reply, `dashboard-${stats.range.start}-${stats.range.end}.csv`, toCsv([['day', (r) => r.day], ...counterColumns], stats.series ?? []));
  });

  api.get('/api/users/stats', {
    schema: {
      summary: 'Audience: size, new and active people per day, top groups, weekly retention',
      description: 'Basic: audience size and today. Advanced: daily series, up to 30 days back. Premium: a year back, top groups, retention, CSV.',
      tags: ['analytics'],
      querystring: z.strictObject({ ...dateRangeQuery, format }),
      response: { 200: csvResponse(userStatsSchema) },
    },
  }, async (request, reply) => {
    const csv = wantsCsv(request, request.query.format);
    const stats = await readStats(request.principal!.tenantId, csv, (tx) => userStats(tx, request.query));
    if (!csv) return stats;
    return sendCsv(reply, `users-${stats.range.start}-${stats.range.end}.csv`,
      toCsv([['day', (r) => r.day], ['new_users', (r) => r.newUsers], ['active_users', (r) => r.activeUsers]], stats.series ?? []));
  });
}
