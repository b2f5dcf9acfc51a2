import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Database, TenantTx } from '../platform/db/index.js';
import { fieldError } from '../platform/errors.js';
import { claimKey, recordAnswer } from './idempotency-keys.js';

/** What a route answers: its status and JSON body. */
export interface Answer {
  status: number;
  body: unknown;
}

/**
 * The request header a client sets to make a retry safe (IETF draft-ietf-httpapi-idempotency-key-header),
 * as Node presents it and problems name it: lower case.
 */
export const idempotencyKeyHeader = 'idempotency-key';
/** Set on an answer that was stored for the key and is sent again, not produced now. */
export const replayedHeader = 'Idempotent-Replayed';

/**
 * The `headers` schema of a route that calls {@link idempotentPost}: declares the optional
 * key in the OpenAPI document and refuses a malformed one (400 naming the header) before
 * the handler runs. A key is 1–200 visible ASCII characters (a UUID is the usual choice).
 */
export const idempotencyKeyHeaders = z.looseObject({
  [idempotencyKeyHeader]: z.string()
    .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1–200 visible ASCII characters (a UUID per action is a good key)')
    .optional()
    .describe('Makes a retry safe: the same key and request again get the first answer and do nothing (docs/API.md, "Retries")'),
});

/**
 * Runs a POST that creates work (a broadcast, a schedule, a plan request) so that a client
 * retrying it never gets the work done twice. Without an `Idempotency-Key` header, `work`
 * runs in a tenant transaction and its answer is sent, as for any route. With one:
 *
 * - the key is claimed in the same transaction as the work and stored with the answer, so
 *   a committed work always has its stored answer and a rolled-back one frees the key;
 * - the same key with the same request (method, path, body) gets the stored answer again,
 *   with `Idempotent-Replayed: true`, and nothing is done;
 * - the same key with another request is a 422 `idempotency_key_mismatch`;
 * - a retry arriving while the first is still working waits for it, then gets its answer.
 *
 * Errors are not stored: a request that failed changed nothing, so retrying it runs it.
 * `afterCommit` (signals, notices) runs only when the work was done now, never on a replay;
 * its failure is logged, never answered, since the work is committed by then.
 */
export async function idempotentPost(
  db: Database,
  request: FastifyRequest,
  reply: FastifyReply,
  work: (tx: TenantTx) => Promise<Answer>,
  afterCommit: () => void | Promise<void> = () => {},
): Promise<FastifyReply> {
  const key = idempotencyKey(request);
  const tenantId = request.principal!.tenantId;
  const fingerprint = requestFingerprint(request);
  const outcome = await db.withTenant(tenantId, async (tx) => {
    if (key === undefined) return { ...(await serialized(work(tx))), replayed: false };
    const stored = await claimKey(tx, key, fingerprint);
    if (stored) {
      if (!stored.fingerprint.equals(fingerprint)) {
        throw fieldError(idempotencyKeyHeader, 'was already used for a different request; send a new key for a new request', 'idempotency_key_mismatch');
      }
      return { status: stored.status, body: stored.body, replayed: true };
    }
    const answer = await serialized(work(tx));
    recordAnswer(tx, key, answer);
    return { ...answer, replayed: false };
  });
  if (outcome.replayed) reply.header(replayedHeader, 'true');
  else {
    // The work is committed: what follows is best effort and must not turn its answer into an error.
    try {
      await afterCommit();
    } catch (error) {
      request.log.warn({ err: error }, 'a follow-up of committed work failed');
    }
  }
  return reply.status(outcome.status).type('application/json; charset=utf-8').send(outcome.body);
}

/** The header's value, checked by {@link idempotencyKeyHeaders} (again here, should a route leave the schema out). */
function idempotencyKey(request: FastifyRequest): string | undefined {
  const parsed = idempotencyKeyHeaders.safeParse(request.headers);
  if (!parsed.success) throw fieldError(idempotencyKeyHeader, parsed.error.issues[0]?.message ?? 'is invalid');
  return parsed.data[idempotencyKeyHeader];
}

/** sha256 of the method, the path and the body with its keys sorted: equal for a retry, different for anything else. */
function requestFingerprint(request: FastifyRequest): Buffer {
  return createHash('sha256').update(`${request.method} ${request.url}\n${canonicalJson(request.body)}`).digest();
}

/** JSON with object keys in sorted order, so `{a, b}` and `{b, a}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The answer with its body as the JSON text that is sent (and stored), so a replay is byte for byte the first answer. */
async function serialized(answer: Promise<Answer>): Promise<{ status: number; body: string }> {
  const { status, body } = await answer;
  return { status, body: JSON.stringify(body) };
}
