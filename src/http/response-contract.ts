import type { FastifyBaseLogger, FastifySerializerCompiler, RouteOptions } from 'fastify';
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../platform/contract.js';
import { errorStatus, type ErrorCode } from '../platform/errors.js';

/**
 * Responses are part of the API contract (/api/openapi.json, docs/API.md): each route
 * declares its success answers with zod schemas from the contract modules, and every
 * documented route answers its problems with the one problem+json schema below. The
 * serializer holds the answers to those schemas, so the document cannot drift from the code.
 */

/** The problem shape with `code` narrowed to the codes the server has (new codes join by being added to errors.ts). */
export const problemResponseSchema = problemSchema
  .extend({ code: z.enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]]) })
  .meta({ id: 'Problem', description: 'application/problem+json (RFC 9457) with a stable code' });

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemResponseSchema } } });

/**
 * Adds the problem responses to a documented route (one with a schema that is not hidden):
 * a 4xx or 5xx from any route, whatever its code, is serialized and documented as a Problem.
 */
export function documentProblems(route: RouteOptions): void {
  const schema = route.schema as (RouteOptions['schema'] & { hide?: boolean }) | undefined;
  if (!schema || schema.hide) return;
  schema.response = {
    '4xx': problemResponse('The request cannot be served as sent: the code says why (validation_failed names the fields)'),
    '5xx': problemResponse('A fault on our side or of a dependency: retry later (503 unavailable), or report the requestId'),
    ...(schema.response as object | undefined),
  };
}

/** A route declares its success answers: the isolation and contract tests check every route does. */
export function documentedStatuses(route: RouteOptions): string[] {
  const response = (route.schema as { response?: object } | undefined)?.response;
  return response ? Object.keys(response) : [];
}

export interface ResponseContractOptions {
  /**
   * When strict (the test suite) an answer its schema does not describe fails (a 500 naming the
   * route in the log): a missing or mistyped field, or a field the schema does not declare, which
   * serialization would otherwise drop without a word. Otherwise a mismatch is logged and the
   * answer is sent as the code made it, so a drift degrades the contract, not the service.
   */
  strict: boolean;
  log: FastifyBaseLogger;
}

/**
 * Serializes an answer through its zod schema (`z.encode`: undeclared fields are dropped, so
 * nothing leaves that the contract does not name) and checks it as {@link ResponseContractOptions}
 * says.
 */
export function responseSerializerCompiler({ strict, log }: ResponseContractOptions): FastifySerializerCompiler<z.ZodType> {
  return ({ schema, method, url, httpStatus }) => (data) => {
    const encoded = z.safeEncode(schema, data);
    if (encoded.success) {
      const json = JSON.stringify(encoded.data);
      if (!strict) return json;
      const undeclared = undeclaredPaths(JSON.parse(JSON.stringify(data)), JSON.parse(json));
      if (undeclared.length === 0) return json;
      throw new ResponseSerializationError(method, url, {
        cause: new z.ZodError(undeclared.map((path) => ({ code: 'custom', path, message: `${httpStatus} answer has a field its schema does not declare`, input: undefined }))),
      });
    }
    if (strict) throw new ResponseSerializationError(method, url, { cause: encoded.error });
    log.error({ route: `${method} ${url}`, status: httpStatus, issues: encoded.error.issues }, 'response does not match its schema');
    return JSON.stringify(data);
  };
}

/** Where `sent` (the answer as the code made it) has object keys that `kept` (the serialized answer) lost. */
export function undeclaredPaths(sent: unknown, kept: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(sent) && Array.isArray(kept)) return sent.flatMap((item, i) => undeclaredPaths(item, kept[i], [...path, i]));
  if (!isObject(sent) || !isObject(kept)) return [];
  return Object.keys(sent).flatMap((key) => key in kept ? undeclaredPaths(sent[key], kept[key], [...path, key]) : [[...path, key]]);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A 204: no body. */
export const noContent = z.undefined().describe('No content');
