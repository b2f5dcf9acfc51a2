import { z } from 'zod';
import { csvResponse, sendCsv, toCsv, wantsCsv } from '../http/csv.js';
import { dateRangeQuery, instantRange } from '../http/date-range.js';
import { pageQuery } from '../http/pagination.js';
import { pageOf } from '../platform/contract.js';
import type { Api, Services } from '../http/types.js';
import { AppError } from '../platform/errors.js';
import { findAuditPage, type AuditRecord } from './audit-log.js';
import { getConfig } from './configs.js';
import { auditRecordSchema } from './contract.js';

const csvColumns: ReadonlyArray<readonly [string, (row: AuditRecord) => unknown]> = [
  ['id', (r) => r.id], ['at', (r) => r.at], ['action', (r) => r.action], ['entity', (r) => r.entity], ['entity_id', (r) => r.entityId],
  ['member_id', (r) => r.memberId], ['member_username', (r) => r.memberUsername], ['before', (r) => r.before], ['after', (r) => r.after],
];

const maxAuditDays = 366;

/** The audit log: every change, by whom and when, with before/after; filters, cursor and CSV export. */
export function auditRoutes(api: Api, services: Services): void {
  api.get('/api/audit-log', {
    schema: {
      summary: 'Every change: who, when, what, before and after. Newest first; CSV with format=csv or Accept: text/csv',
      tags: ['audit'],
      querystring: z.strictObject({
        ...dateRangeQuery,
        entity: z.string().regex(/^[a-z_]{1,40}$/, 'an entity name such as template, group, member').optional(),
        entity_id: z.string().min(1).max(100).optional(),
        action: z.string().regex(/^[a-z_]{1,40}(\.[a-z_]{1,40})?$/, 'an action such as template.updated, or an entity prefix such as template').optional(),
        member_id: z.uuid().optional(),
        cursor: pageQuery.cursor,
        limit: z.coerce.number().int().min(1).max(5000).optional(),
        format: z.enum(['json', 'csv']).optional(),
      }),
      response: { 200: csvResponse(pageOf(auditRecordSchema)) },
    },
    config: { auth: 'admin' },
  }, async (request, reply) => {
    const q = request.query;
    const csv = wantsCsv(request, q.format);
    const limit = q.limit ?? (csv ? 5000 : 50);
    if (!csv && limit > 200) throw new AppError('validation_failed', 'limit: at most 200 (up to 5000 with format=csv)', { fields: [{ field: 'limit', message: 'at most 200 unless format=csv' }] });
    const page = await services.db.withTenant(request.principal!.tenantId, async (tx) => {
      const range = instantRange(q, { timeZone: await getConfig(tx, 'time_zone'), defaultDays: 90, maxDays: maxAuditDays });
      return findAuditPage(tx, { ...range, entity: q.entity, entityId: q.entity_id, action: q.action, memberId: q.member_id }, q.cursor, limit);
    });
    if (csv) return sendCsv(reply, 'audit-log.csv', toCsv(csvColumns, page.items), page.nextCursor);
    return page;
  });
}
