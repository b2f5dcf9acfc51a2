import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/**
 * CSV exports (RFC 4180: comma, CRLF, quotes doubled). A cell that a spreadsheet would run
 * as a formula (`=`, `+`, `-`, `@`, tab, CR at the start) is prefixed with `'`: history
 * and audit text comes from Telegram users, and must not become a formula in Excel.
 */
export function toCsv<T>(columns: ReadonlyArray<readonly [header: string, value: (row: T) => unknown]>, rows: readonly T[]): string {
  const lines = [columns.map(([header]) => cell(header)).join(',')];
  for (const row of rows) lines.push(columns.map(([, value]) => cell(value(row))).join(','));
  return lines.join('\r\n') + '\r\n';
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The caller asked for CSV: `format=csv`, or an Accept header that prefers text/csv. */
export function wantsCsv(request: FastifyRequest, format: string | undefined): boolean {
  if (format) return format === 'csv';
  const accept = request.headers.accept ?? '';
  return /^\s*text\/csv/i.test(accept);
}

/** Sends a CSV download; `nextCursor` (when more rows exist) travels in a header. */
export function sendCsv(reply: FastifyReply, fileName: string, csv: string, nextCursor?: string | null): FastifyReply {
  if (nextCursor) reply.header('Kovan-Next-Cursor', nextCursor);
  return reply
    .type('text/csv; charset=utf-8')
    .header('Content-Disposition', `attachment; filename="${fileName}"`)
    .send(csv);
}

/** A route that answers JSON, or CSV when asked: both documented (the CSV body is text, sent as is). */
export function csvResponse<Json extends z.ZodType>(json: Json) {
  return {
    description: 'JSON; CSV with format=csv or Accept: text/csv (the next page\'s cursor in Kovan-Next-Cursor)',
    content: { 'application/json': { schema: json }, 'text/csv': { schema: z.string() } },
  };
}
