import { z } from 'zod';
import { csvResponse, sendCsv, toCsv, wantsCsv } from '../http/csv.js';
import { dateRangeQuery, instantRange } from '../http/date-range.js';
import { pageQuery } from '../http/pagination.js';
import type { Api, Services } from '../http/types.js';
import { AppError } from '../platform/errors.js';
import { getConfig, requireFeature } from '../tenancy/index.js';
import { findHistoryPage, historyKinds, type HistoryItem } from './history-query.js';
import { historyPageSchema } from './contract.js';

/** Longest history range one request may cover. */
const maxHistoryDays = 366;
const jsonPageMax = 200;
const csvPageMax = 10_000;

const csvColumns: ReadonlyArray<readonly [string, (row: HistoryItem) => unknown]> = [
  ['id', (r) => r.id], ['at', (r) => r.at], ['bot_id', (r) => r.botId], ['chat_id', (r) => r.chatId], ['chat_type', (r) => r.chatType],
  ['direction', (r) => r.direction], ['kind', (r) => r.kind], ['user_id', (r) => r.userId], ['status', (r) => r.status],
  ['reason', (r) => r.reason], ['text', (r) => r.text],
];

/** Message history: the customer's `/api/messages/history`, with filters, cursor and CSV export. */
export function messageRoutes(api: Api, services: Services): void {
  api.get('/api/messages/history', {
    schema: {
      summary: 'Messages in and out, newest first. Dates are ISO-8601 (a day in your time zone, or an instant); CSV with format=csv or Accept: text/csv (Premium)',
      tags: ['history'],
      querystring: z.strictObject({
        ...dateRangeQuery,
        chat: z.coerce.number().int().min(-1e15).max(1e15).optional(),
        direction: z.enum(['in', 'out']).optional(),
        kind: z.enum(historyKinds).optional(),
        bot_id: z.uuid().optional(),
        cursor: pageQuery.cursor,
        limit: z.coerce.number().int().min(1).max(csvPageMax).optional(),
        format: z.enum(['json', 'csv']).optional(),
      }),
      response: { 200: csvResponse(historyPageSchema) },
    },
  }, async (request, reply) => {
    const q = request.query;
    const csv = wantsCsv(request, q.format);
    const limit = q.limit ?? (csv ? csvPageMax : 50);
    if (!csv && limit > jsonPageMax) {
      throw new AppError('validation_failed', `limit: at most ${jsonPageMax} (up to ${csvPageMax} with format=csv)`, { fields: [{ field: 'limit', message: `at most ${jsonPageMax} unless format=csv` }] });
    }
    const { page, range } = await services.db.withTenant(request.principal!.tenantId, async (tx) => {
      if (csv) await requireFeature(tx, 'reports', 'CSV export');
      const timeZone = await getConfig(tx, 'time_zone');
      const window = instantRange(q, { timeZone, defaultDays: 30, maxDays: maxHistoryDays });
      return { range: window, page: await findHistoryPage(tx, { ...window, chatId: q.chat, direction: q.direction, kind: q.kind, botId: q.bot_id }, q.cursor, limit) };
    });
    if (csv) return sendCsv(reply, 'messages.csv', toCsv(csvColumns, page.items), page.nextCursor);
    return { ...page, range: { from: range.from.toISOString(), to: range.to.toISOString() } };
  });
}
