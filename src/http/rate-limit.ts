import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionCookie } from '../auth/index.js';
import type { Cache } from '../platform/cache/index.js';
import { AppError } from '../platform/errors.js';
import { Second } from '../platform/time.js';

/**
 * Fixed-window request limits in the shared cache, so every API replica counts the same
 * budget. Sends the IETF `RateLimit-*` headers on every limited route.
 */
export async function enforceRateLimit(cache: Cache, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const limit = request.routeOptions.config.rateLimit;
  if (!limit) return;
  const who = limit.key === 'principal' && request.principal
    ? `p:${request.principal.apiKeyId ?? request.principal.memberId}`
    : `ip:${request.ip}`;
  const key = `rl:${request.routeOptions.url}:${who}`;
  const { count, resetMs } = await cache.increment(key, limit.windowMs);
  const resetSeconds = Math.max(1, Math.ceil(resetMs / 1000));
  reply.header('RateLimit-Limit', String(limit.max));
  reply.header('RateLimit-Remaining', String(Math.max(0, limit.max - count)));
  reply.header('RateLimit-Reset', String(resetSeconds));
  if (count > limit.max) {
    throw new AppError('rate_limited', `Too many requests; retry in ${resetSeconds} s`, { retryAfterSeconds: resetSeconds });
  }
}

/** The window of the per-tenant write budget: short, so one burst is refused for seconds, not a minute. */
export const tenantWriteWindowMs = 10 * Second;

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Who the request claims to be (bearer header or session cookie), hashed: a cache key, never the secret itself. */
function credentialKey(request: FastifyRequest): string | undefined {
  const credential = request.headers.authorization ?? request.cookies?.[sessionCookie];
  return credential ? `rl:tenant-writes:refused:${createHash('sha256').update(credential).digest('base64url')}` : undefined;
}

/**
 * Per-tenant fairness: every write of a signed-in tenant (any member, session or API key,
 * on any replica) counts against one budget of `limit` writes per {@link tenantWriteWindowMs}.
 * Past it the tenant gets 429 with `Retry-After` before any handler or transaction runs,
 * and the credential it used is remembered until the window resets, so that
 * {@link refuseOverBudgetCredential} answers its next writes without even asking the
 * database who it is: a hammering tenant then costs a cache read per request, and other
 * tenants keep the database pool and the CPU (docs/OPERATIONS.md §10).
 */
export async function enforceTenantWriteBudget(cache: Cache, request: FastifyRequest, reply: FastifyReply, limit: number): Promise<void> {
  const tenantId = request.principal?.tenantId;
  if (!tenantId || readMethods.has(request.method)) return;
  const { count, resetMs } = await cache.increment(`rl:tenant-writes:${tenantId}`, tenantWriteWindowMs);
  if (count <= limit) return;
  const refused = credentialKey(request);
  if (refused) await cache.set(refused, String(Date.now() + resetMs), resetMs);
  refuseWrite(reply, limit, resetMs);
}

/** Before authentication: a write with a credential whose tenant is over budget is refused at once. */
export async function refuseOverBudgetCredential(cache: Cache, request: FastifyRequest, reply: FastifyReply, limit: number): Promise<void> {
  // Public routes (login, webhook ingress) are never a tenant's write, whatever cookie comes along.
  if (readMethods.has(request.method) || request.routeOptions.config.auth === 'public') return;
  const refused = credentialKey(request);
  const until = refused ? Number(await cache.get(refused)) : 0;
  if (until > Date.now()) refuseWrite(reply, limit, until - Date.now());
}

function refuseWrite(reply: FastifyReply, limit: number, resetMs: number): never {
  const resetSeconds = Math.max(1, Math.ceil(resetMs / 1000));
  reply.header('RateLimit-Limit', String(limit));
  reply.header('RateLimit-Remaining', '0');
  reply.header('RateLimit-Reset', String(resetSeconds));
  throw new AppError('rate_limited', `This tenant made more than ${limit} changes in ${tenantWriteWindowMs / 1000} s; retry in ${resetSeconds} s`, { retryAfterSeconds: resetSeconds, scope: 'tenant' });
}
