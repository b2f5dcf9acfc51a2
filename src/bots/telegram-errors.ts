import { GrammyError, HttpError } from 'grammy';

/**
 * What went wrong in a Telegram call, by what Kovan must do about it (grammY's split of
 * network vs "Telegram said no", refined): each kind leads to a different action.
 */
export type TelegramFailure =
  /** 429: wait `retryAfterSeconds`, then retry. Never retry sooner. */
  | { kind: 'rate_limited'; retryAfterSeconds: number; description: string }
  /** 403: blocked by the user, kicked from the group, not a member, can't initiate. Don't retry; disable the target. */
  | { kind: 'forbidden'; reason: 'blocked' | 'kicked' | 'not_member' | 'cannot_initiate' | 'other'; description: string }
  /** 400 chat not found: the chat is gone or never existed. Don't retry. */
  | { kind: 'chat_not_found'; description: string }
  /** 400 with migrate_to_chat_id: the group became a supergroup. Retarget and resend. */
  | { kind: 'migrated'; migrateToChatId: number; description: string }
  /** 401: the token was revoked or is wrong. Stop the bot; tell the tenant. */
  | { kind: 'unauthorized'; description: string }
  /** 409: another poller or a webhook holds the bot's updates. */
  | { kind: 'conflict'; description: string }
  /** Other 400s: the request itself is wrong (bad HTML, empty text). Don't retry. */
  | { kind: 'bad_request'; description: string }
  /** Network failure or Telegram 5xx: retry with backoff. */
  | { kind: 'transient'; description: string };

/** Classifies any error thrown by a Telegram call. */
export function classifyTelegramError(error: unknown): TelegramFailure {
  if (error instanceof GrammyError) {
    const description = error.description;
    const code = error.error_code;
    if (code === 429) return { kind: 'rate_limited', retryAfterSeconds: Math.max(1, error.parameters.retry_after ?? 1), description };
    if (error.parameters.migrate_to_chat_id !== undefined) return { kind: 'migrated', migrateToChatId: error.parameters.migrate_to_chat_id, description };
    if (code === 401 || code === 404) return { kind: 'unauthorized', description };
    if (code === 409) return { kind: 'conflict', description };
    if (code === 403) return { kind: 'forbidden', reason: forbiddenReason(description), description };
    if (code === 400 && /chat not found/i.test(description)) return { kind: 'chat_not_found', description };
    if (code >= 500) return { kind: 'transient', description };
    return { kind: 'bad_request', description };
  }
  if (error instanceof HttpError) return { kind: 'transient', description: `network: ${error.message}` };
  return { kind: 'transient', description: error instanceof Error ? error.message : String(error) };
}

function forbiddenReason(description: string): 'blocked' | 'kicked' | 'not_member' | 'cannot_initiate' | 'other' {
  if (/blocked by the user/i.test(description)) return 'blocked';
  if (/kicked/i.test(description)) return 'kicked';
  if (/not a member/i.test(description)) return 'not_member';
  if (/can't initiate/i.test(description)) return 'cannot_initiate';
  return 'other';
}

/** Thrown by {@link TelegramClient} calls: the classified failure travels with it. */
export class TelegramCallError extends Error {
  constructor(readonly failure: TelegramFailure, readonly method: string) {
    super(`${method}: ${failure.description}`);
    this.name = 'TelegramCallError';
  }
}
