import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Cache } from '../platform/cache/index.js';
import { AppError } from '../platform/errors.js';
import { Minute } from '../platform/time.js';
import { apiKeyBudgets } from './resolve-api-key.js';

/** A key's budget when none is recorded (it always is; this is the safe fallback). */
const fallbackBudget = 600;

/**
 * Per-key request budget, on every route an API key calls: a fixed one-minute window in
 * the shared cache (so all API replicas count together), announced with the IETF
 * `RateLimit-Limit/Remaining/Reset` headers; over budget is a 429 with `Retry-After`.
 * Sessions are not limited here (routes keep their own limits).
 */
export async function enforceApiKeyBudget(cache: Cache, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const principal = request.principal;
  if (!principal?.apiKeyId) return;
  const budget = apiKeyBudgets.get(principal) ?? fallbackBudget;
  const { count, resetMs } = await cache.increment(`rl:apikey:${principal.apiKeyId}`, Minute);
  const resetSeconds = Math.max(1, Math.ceil(resetMs / 1000));
  reply.header('RateLimit-Limit', String(budget));
  reply.header('RateLimit-Remaining', String(Math.max(0, budget - count)));
  reply.header('RateLimit-Reset', String(resetSeconds));
  if (count > budget) {
    throw new AppError('rate_limited', `This API key allows ${budget} requests a minute; retry in ${resetSeconds} s`, { retryAfterSeconds: resetSeconds });
  }
}
