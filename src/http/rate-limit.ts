import type { FastifyReply, FastifyRequest } from 'fastify';
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

/**
 * Per-tenant fairness: every write of a signed-in tenant (any member, session or API key,
 * on any replica) counts against one budget of `limit` writes per {@link tenantWriteWindowMs}.
 * Past it the tenant gets 429 with `Retry-After` before any handler, transaction or planner
 * runs, so its burst costs the process a counter increment per request and other tenants'
 * requests keep the database pool and the CPU (docs/OPERATIONS.md §10).
 */
export async function enforceTenantWriteBudget(cache: Cache, request: FastifyRequest, reply: FastifyReply, limit: number): Promise<void> {
  const tenantId = request.principal?.tenantId;
  if (!tenantId || readMethods.has(request.method)) return;
  const { count, resetMs } = await cache.increment(`rl:tenant-writes:${tenantId}`, tenantWriteWindowMs);
  if (count <= limit) return;
  const resetSeconds = Math.max(1, Math.ceil(resetMs / 1000));
  reply.header('RateLimit-Limit', String(limit));
  reply.header('RateLimit-Remaining', '0');
  reply.header('RateLimit-Reset', String(resetSeconds));
  throw new AppError('rate_limited', `This tenant made more than ${limit} changes in ${tenantWriteWindowMs / 1000} s; retry in ${resetSeconds} s`, { retryAfterSeconds: resetSeconds, scope: 'tenant' });
}
