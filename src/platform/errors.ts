import type { z } from 'zod';
import type { fieldProblemSchema } from './contract.js';

/**
 * The one error model. Code throws `AppError(code, message)`; the HTTP layer maps the code
 * to a status through {@link errorStatus} and answers `application/problem+json`. Callers
 * (and API customers) rely on the codes, never on the messages.
 */
export const errorStatus = {
  /** The input failed validation; `fields` names what was wrong. Fix the request. */
  validation_failed: 400,
  /** The body was not parseable (bad JSON, bad encoding). Fix the request. */
  malformed_request: 400,
  /** No valid session or API key. Log in again. */
  unauthenticated: 401,
  /** Wrong username/password or an invalid Telegram login. */
  invalid_credentials: 401,
  /** The member's role may not do this (e.g. a viewer writing). Ask an owner. */
  forbidden: 403,
  /** The tenant's plan does not include this; `details.requiredPlan` names the plan that does. */
  plan_required: 403,
  /** The Telegram account is not linked to any Kovan login. Link it from Settings first. */
  telegram_not_linked: 403,
  /** Nothing with this id exists for this tenant (also for other tenants' ids: no existence leak). */
  not_found: 404,
  /** The resource exists in a state that forbids this (taken username, duplicate name). */
  conflict: 409,
  /** The request body is larger than allowed. */
  payload_too_large: 413,
  /** The content type is not accepted. */
  unsupported_media_type: 415,
  /**
   * The `Idempotency-Key` header was sent before with a different request (another body or
   * route). Send a new key for a new request; reuse a key only to retry the same request.
   */
  idempotency_key_mismatch: 422,
  /** The URL (a path segment) is longer than any id Kovan uses. Shorten it. */
  uri_too_long: 414,
  /** The request line or headers exceed the server's limit (Node's parser refused them). Send less. */
  headers_too_large: 431,
  /** The client took too long to send its request; the connection is closed. Retry. */
  request_timeout: 408,
  /** The plan's quota is used up (messages today, groups). Wait for the reset or upgrade. */
  quota_exceeded: 429,
  /** Too many requests or failed logins; retry after `Retry-After` seconds. */
  rate_limited: 429,
  /** Too many failed logins for this login name from this address (or from everywhere); retry after `Retry-After`, log in from a device used before, or reset the password by e-mail. */
  account_locked: 429,
  /** Telegram (or another upstream) refused or failed; details say what to do. */
  upstream_failed: 502,
  /** A feature this installation does not have configured (Telegram login without a platform bot). */
  unavailable: 503,
  /**
   * The delivery planner gave up at its step budget instead of risking a hang (a bug, logged);
   * the request changed nothing. Retry later; messages already queued are sent as usual.
   */
  plan_unavailable: 503,
  /**
   * The database (or another dependency the request cannot do without) is unreachable:
   * nothing was done, unless the failure hit the commit itself. Retry after `Retry-After`
   * seconds; a write sent with an `Idempotency-Key` can be retried with the same key safely.
   */
  dependency_unavailable: 503,
  /** A bug. Logged with the request id; the response carries no internals. */
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** One wrong input field (its shape is the API contract's: platform/contract.ts). */
export type FieldProblem = z.output<typeof fieldProblemSchema>;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { fields?: FieldProblem[]; retryAfterSeconds?: number; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return errorStatus[this.code];
  }

  /** Only server faults are worth an error log; the rest are the caller's to fix. */
  get reportable(): boolean {
    return this.status >= 500;
  }
}

/** A problem with one input field: named in `fields` (forms show it by the field) and in the message. */
export function fieldError(field: string, message: string, code: ErrorCode = 'validation_failed'): AppError {
  return new AppError(code, `${field}: ${message}`, { fields: [{ field, message }] });
}

/** The tenant's own resource was not found; also what another tenant's id looks like. */
export function notFound(what: string): AppError {
  return new AppError('not_found', `${what} not found`);
}
