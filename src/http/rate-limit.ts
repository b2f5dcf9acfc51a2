import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Cache } from '../platform/cache/index.js';
import { AppError } from '../platform/errors.js';

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
