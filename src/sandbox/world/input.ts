import { z } from 'zod';
import { SandboxError } from '../errors.js';

/**
 * Validation shared by the in-process and the HTTP control API: both parse their input with the
 * same zod schemas, so both reject bad input with the same 400 message.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new SandboxError(z.prettifyError(result.error));
  return result.data;
}

/** A Telegram id: an integer JavaScript can hold exactly. */
export const telegramId = z.number().int().refine(Number.isSafeInteger, 'must be a safe integer');

/** Usernames: 5–32 letters, digits and underscores, not starting with a digit or underscore. */
export const username = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, 'must be 5-32 characters of A-Z, a-z, 0-9 and _');
