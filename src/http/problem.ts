import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, errorStatus, type ErrorCode, type FieldProblem } from '../platform/errors.js';

/**
 * Turns any thrown error into an RFC 9457 problem response with a stable `code`. Client
 * errors say what was wrong (validation errors name the field); anything unexpected is a
 * 500 with the request id and nothing else, and is logged in full.
 */
export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const appError = toAppError(error);
  if (appError.reportable) request.log.error({ err: error }, 'request failed');
  if (appError.details.retryAfterSeconds) reply.header('Retry-After', String(appError.details.retryAfterSeconds));
  return reply.status(appError.status).type(problemContentType).send(problemDocument(appError, request.id));
}

export const problemContentType = 'application/problem+json; charset=utf-8';

/** The RFC 9457 document for an error; internals (details of a 5xx) never leave the server. */
export function problemDocument(appError: AppError, requestId: string) {
  const { fields, ...details } = appError.details;
  return {
    type: `https://kovan.dev/problems/${appError.code}`,
    title: appError.code.replace(/_/g, ' '),
    status: appError.status,
    code: appError.code,
    detail: appError.message,
    ...(fields ? { fields } : {}),
    ...(Object.keys(details).length > 0 && appError.status < 500 ? { details } : {}),
    requestId,
  };
}

/** Fastify's own client errors, by their codes, in Kovan's words. */
const fastifyCodes: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['payload_too_large', 'The request body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', 'Send the body as application/json'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['malformed_request', 'The JSON body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['malformed_request', 'The body is not valid JSON'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['malformed_request', 'Content-Length does not match the body'],
  FST_ERR_BAD_URL: ['malformed_request', 'The URL is malformed (a path segment is not valid percent-encoded UTF-8)'],
  FST_ERR_MAX_PARAM_LENGTH: ['uri_too_long', 'A path segment of the URL is too long'],
};

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const fields: FieldProblem[] = error.validation.map((v) => ({
      // The field as the caller named it (`username`, `items.2.text`); the part of the request otherwise.
      field: v.instancePath.split('/').filter(Boolean).join('.') || unknownKey(v.params) || error.validationContext || 'request',
      message: v.message ?? 'is invalid',
    }));
    return new AppError('validation_failed', describeFields(fields), { fields });
  }
  if (isResponseSerializationError(error)) return new AppError('internal', 'Something went wrong on our side');
  const databaseCode = (error as { code?: unknown }).code;
  if (databaseCode === '22021' || databaseCode === '22P05') {
    // PostgreSQL refuses U+0000 and invalid byte sequences in text: the input's fault, not ours.
    return new AppError('validation_failed', 'Text must not contain NUL (U+0000) characters');
  }
  const fastifyError = error as Partial<FastifyError>;
  const known = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined;
  if (known) return new AppError(known[0], known[1]);
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const code = (Object.entries(errorStatus).find(([, s]) => s === fastifyError.statusCode)?.[0] ?? 'malformed_request') as ErrorCode;
    return new AppError(code, fastifyError.message ?? 'Bad request');
  }
  return new AppError('internal', 'Something went wrong on our side; the request id helps us find it');
}

/** zod reports an unknown field on its parent; name the field itself. */
function unknownKey(params: unknown): string | undefined {
  const keys = (params as { keys?: unknown } | undefined)?.keys;
  return Array.isArray(keys) && typeof keys[0] === 'string' ? keys[0] : undefined;
}

function describeFields(fields: FieldProblem[]): string {
  const first = fields[0];
  if (!first) return 'The request is invalid';
  const rest = fields.length > 1 ? ` (and ${fields.length - 1} more problem${fields.length > 2 ? 's' : ''})` : '';
  return `${first.field}: ${first.message}${rest}`;
}
