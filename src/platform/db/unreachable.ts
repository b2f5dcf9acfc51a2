import { AppError } from '../errors.js';
import { Second } from '../time.js';

/** How long a client should wait before retrying a request the database could not serve. */
const retryAfterSeconds = 5;

/**
 * Socket errors of a connection that could not be made or was lost: the server is down,
 * restarting or unreachable, not a fault of the statement.
 */
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs that mean "this server cannot serve you now": class 08 (connection exception),
 * shutting down / crashed / starting up (57P01–57P03), too many connections (53300).
 */
const serverStates = /^(08...|57P0[123]|53300)$/;

/** What node-postgres says, without a code, when a connection breaks or the pool cannot get one in time. */
const driverMessages = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Connection terminated due to connection timeout/i;

/**
 * True when `error` says the database could not be reached (or the connection was lost),
 * as opposed to a statement the database refused. Callers answer 503 for the first and
 * keep the error for the second.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  if (!(error instanceof Error) || error instanceof AppError) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (socketCodes.has(code) || serverStates.test(code))) return true;
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnreachable); // Node's happy-eyeballs connect
  return driverMessages.test(error.message);
}

/** `error` as the 503 the HTTP layer answers when it is a lost database; unchanged otherwise. */
export function asDatabaseUnavailable(error: unknown): unknown {
  if (!isDatabaseUnreachable(error)) return error;
  return new AppError('dependency_unavailable', 'The database is unreachable; nothing was changed unless the answer was lost at commit. Retry shortly.', {
    retryAfterSeconds, cause: error,
  });
}

/** Longest wait for a pooled connection (a free one, or a new one to a server that does not answer). */
export const connectTimeoutMs = 5 * Second;
