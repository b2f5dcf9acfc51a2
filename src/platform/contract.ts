/**
 * Shapes shared by every context's API: a contract module (docs/ARCHITECTURE.md, Layout).
 * Contract modules import only zod and other contract modules; the Mini App imports them
 * type-only, so these schemas never reach its bundle.
 */
import { z } from 'zod';

/** What JSON makes of a server shape: its `Date` fields arrive as ISO strings. */
export type Serialized<T> =
  T extends Date ? string
  : T extends ReadonlyArray<infer Item> ? Array<Serialized<Item>>
  : T extends object ? { [K in keyof T]: Serialized<T[K]> }
  : T;

/**
 * An instant: ISO-8601 in JSON. The server holds it as a `Date` (from PostgreSQL) or as
 * text it already formatted; `Serialized` makes either a string for the Mini App.
 */
export const instant = z.union([z.date(), z.iso.datetime({ offset: true })]).meta({ description: 'ISO-8601 instant' });

/** A list page: `items`, and the cursor of the next page (`null` on the last). */
export function pageOf<Item extends z.ZodType>(item: Item) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const fieldProblemSchema = z.object({
  field: z.string(),
  message: z.string(),
  /** A stable code for this problem and the values in it (e.g. `password_weak`), for clients that word it in the person's language. */
  code: z.string().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

/**
 * Every error the API answers (4xx and 5xx), as `application/problem+json` (RFC 9457). The
 * HTTP layer narrows `code` to the codes of src/platform/errors.ts; this shape takes any.
 */
export const problemSchema = z.object({
  type: z.string().describe('https://kovan.dev/problems/<code>'),
  title: z.string(),
  status: z.number().int(),
  code: z.string().describe('Stable: branch on it, never on detail'),
  detail: z.string().describe('For people; may change'),
  fields: z.array(fieldProblemSchema).optional().describe('validation_failed: which input fields were wrong'),
  details: z.record(z.string(), z.unknown()).optional().describe('Code-specific facts, e.g. requiredPlan, retryAfterSeconds'),
  requestId: z.string(),
});
export type Problem = z.output<typeof problemSchema>;
