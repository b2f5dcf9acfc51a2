import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { settingDestination } from './settings.js';
import { targetNames } from './target.js';

/**
 * The mapping file: what detection cannot guess (docs/PORTABILITY.md has the format).
 *
 * ```json
 * {
 *   "version": 1,
 *   "tables": {
 *     "clients":  { "target": "users", "columns": { "user_id": "tg", "first_name": "fname" } },
 *     "payments": { "skip": "billing moved to Stripe" }
 *   },
 *   "settings": { "greeting_text": "template:message:welcome", "tz": "time_zone", "admin_ids": "skip" }
 * }
 * ```
 * `columns` maps Kovan field → legacy column; fields left out are still detected by name.
 */
const tableMapping = z.union([
  z.strictObject({
    target: z.enum(targetNames),
    columns: z.record(z.string().min(1), z.string().min(1)).optional(),
  }),
  z.strictObject({ skip: z.string().min(1).max(200) }),
]);

export const mappingSchema = z.strictObject({
  version: z.literal(1),
  tables: z.record(z.string().min(1), tableMapping).optional(),
  settings: z.record(z.string().min(1), z.string().regex(settingDestination, 'a Kovan setting, "template:<message|invite|reply>:<name>" or "skip"')).optional(),
});

export type LegacyMapping = z.infer<typeof mappingSchema>;
export type TableMapping = z.infer<typeof tableMapping>;

/** Reads and validates a mapping file; every problem is named with its place in the file. */
export async function loadMapping(file: string): Promise<LegacyMapping> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new AppError('validation_failed', `Cannot read the mapping file ${file}: ${(error as Error).message}`);
  }
  const parsed = mappingSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new AppError('validation_failed', `The mapping file ${file} is invalid:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
