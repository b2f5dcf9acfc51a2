import { z } from 'zod';
import { AppError } from '../platform/errors.js';

/**
 * Cursor pagination, the one way every list pages. A cursor is opaque to callers
 * (base64url of the sort key of the last row returned); a list returns `nextCursor: null`
 * on its last page. A cursor that does not decode is a 400 naming `cursor`, never a 500.
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Query fields every list accepts. */
export const pageQuery = {
  cursor: z.string().min(1).max(300).regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor this API returned').optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
};

/** Encodes a sort key as a cursor. */
export function encodeCursor(key: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor into its sort key and checks its shape with `schema`; anything else is a
 * 400 on the `cursor` field (the caller sent a cursor from another list, or made one up).
 */
export function decodeCursor<S extends z.ZodType>(cursor: string, schema: S): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalidCursor();
  return parsed.data;
}

export function invalidCursor(): AppError {
  return new AppError('validation_failed', 'cursor: is not a cursor this list returned', { fields: [{ field: 'cursor', message: 'is not a cursor this list returned' }] });
}

/** A cursor key of a row ordered by creation: time in ms, then id. */
const creationKey = z.tuple([z.number().int().nonnegative(), z.string().max(64)]);

function timeOf(value: string | Date): number {
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

/**
 * Pages a small, fully loaded collection (templates, rules, members, keys) in creation
 * order, keyed by (createdAt, id): stable while rows are added or removed between pages.
 * Sorting and comparing both happen here, so the order never depends on a collation.
 */
export function pageByCreation<T extends { id: string; createdAt: string | Date }>(all: readonly T[], cursor: string | undefined, limit: number): Page<T> {
  const sorted = [...all].sort((a, b) => timeOf(a.createdAt) - timeOf(b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let start = 0;
  if (cursor) {
    const [at, id] = decodeCursor(cursor, creationKey);
    start = sorted.findIndex((item) => timeOf(item.createdAt) > at || (timeOf(item.createdAt) === at && item.id > id));
    if (start < 0) start = sorted.length;
  }
  const items = sorted.slice(start, start + limit);
  const last = items[items.length - 1];
  const more = start + limit < sorted.length;
  return { items, nextCursor: more && last ? encodeCursor([timeOf(last.createdAt), last.id]) : null };
}
