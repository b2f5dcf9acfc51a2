/**
 * The two kinds of failure the sandbox knows: errors Telegram itself would answer a bot with
 * ({@link BotApiError}, rendered in Telegram's envelope), and mistakes made while driving the
 * simulated world ({@link SandboxError}, e.g. "unknown user") which Telegram has no equivalent for.
 */

/** Extra fields Telegram attaches to some errors, clients act on them. */
export interface ResponseParameters {
  retry_after?: number;
  migrate_to_chat_id?: number;
}

/** An error answered to a bot exactly as the Bot API would: code, description text, parameters. */
export class BotApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
    this.name = 'BotApiError';
  }
}

/** 400 with Telegram's "Bad Request: " prefix. */
export function badRequest(reason: string, parameters?: ResponseParameters): BotApiError {
  return new BotApiError(400, `Bad Request: ${reason}`, parameters);
}

/** 403 with Telegram's "Forbidden: " prefix. */
export function forbidden(reason: string): BotApiError {
  return new BotApiError(403, `Forbidden: ${reason}`);
}

/** 409 with Telegram's "Conflict: " prefix. */
export function conflict(reason: string): BotApiError {
  return new BotApiError(409, `Conflict: ${reason}`);
}

/** 429 in the shape every client reads: retry_after both in the text and in parameters. */
export function tooManyRequests(retryAfterSeconds: number): BotApiError {
  return new BotApiError(429, `Too Many Requests: retry after ${retryAfterSeconds}`, {
    retry_after: retryAfterSeconds,
  });
}

/** Wrong or revoked token. */
export function unauthorized(): BotApiError {
  return new BotApiError(401, 'Unauthorized');
}

/** Unknown method, or a URL that is not a Bot API path at all. */
export function notFound(): BotApiError {
  return new BotApiError(404, 'Not Found');
}

/** Telegram's texts for the situations several methods share. */
export const TelegramErrors = {
  chatNotFound: () => badRequest('chat not found'),
  textEmpty: () => badRequest('message text is empty'),
  textTooLong: () => badRequest('message is too long'),
  blockedByUser: () => forbidden('bot was blocked by the user'),
  cantInitiate: () => forbidden("bot can't initiate conversation with a user"),
  cantMessageBots: () => forbidden("bot can't send messages to bots"),
  queryTooOld: () => badRequest('query is too old and response timeout expired or query ID is invalid'),
  notEnoughRights: (what: string) => badRequest(`not enough rights to ${what}`),
  userNotFound: () => badRequest('user not found'),
} as const;

/** HTTP status a control-API caller gets for a {@link SandboxError}. */
export type SandboxErrorStatus = 400 | 404 | 409;

/**
 * Misuse of the sandbox's control API (the simulated users and chats), e.g. a user id that was
 * never created. Thrown by the in-process API; answered as JSON by the HTTP control API.
 */
export class SandboxError extends Error {
  constructor(
    message: string,
    readonly status: SandboxErrorStatus = 400,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}
