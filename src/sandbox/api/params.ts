import { badRequest } from '../errors.js';

/**
 * Method parameters the way the Bot API server sees them: every value a string (JSON bodies are
 * flattened: numbers and booleans to their text, objects and arrays to JSON), empty meaning absent.
 * Reading them follows the server's rules, so sloppy clients get Telegram's answers: integers are
 * read leniently and clamped, booleans are "true"/"yes"/"1", and missing required values fail with
 * `parameter "x" is required`.
 */
export class ParamReader {
  constructor(private readonly args: ReadonlyMap<string, string>) {}

  /** The raw value; undefined when missing or empty. */
  string(name: string): string | undefined {
    const value = this.args.get(name);
    return value === undefined || value === '' ? undefined : value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw badRequest(`parameter "${name}" is required`);
    return value;
  }

  /** Leading integer of the value (like C's strtol), clamped; `fallback` when missing. */
  int(name: string, fallback: number, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const parsed = Number.parseInt(value.trim(), 10);
    return Math.min(Math.max(Number.isNaN(parsed) ? 0 : parsed, min), max);
  }

  bool(name: string): boolean {
    const value = this.string(name)?.trim().toLowerCase();
    return value === 'true' || value === 'yes' || value === '1';
  }

  /** A JSON-valued parameter; `what` names it in Telegram's "can't parse … JSON object" error. */
  json(name: string, what: string): unknown {
    const value = this.string(name);
    if (value === undefined) return undefined;
    try {
      return JSON.parse(value);
    } catch {
      throw badRequest(`can't parse ${what} JSON object`);
    }
  }

  /** A JSON-valued parameter that must be present. */
  requiredJson(name: string, what: string): unknown {
    this.requiredString(name);
    return this.json(name, what);
  }

  /** A user id parameter; 0 or missing is Telegram's "Invalid user_id specified". */
  userId(name = 'user_id'): number {
    const id = this.int(name, 0);
    if (id <= 0) throw badRequest(`Invalid ${name} specified`);
    return id;
  }

  /** A message id parameter; missing or invalid reads as 0, which never matches a message. */
  messageId(name = 'message_id'): number {
    return Math.max(this.int(name, 0), 0);
  }
}

/**
 * Flattens a JSON object body into the string arguments the Bot API server works with: strings
 * as they are, numbers and booleans as their text, objects and arrays as JSON; null is absent.
 */
export function flattenJsonParams(body: Record<string, unknown>): Map<string, string> {
  const args = new Map<string, string>();
  for (const [name, value] of Object.entries(body)) {
    if (value === null || value === undefined) continue;
    args.set(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return args;
}
