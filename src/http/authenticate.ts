import type { FastifyRequest } from 'fastify';
import { apiKeyTokenPrefix, resolveApiKey } from '../api-keys/index.js';
import { resolveSession, sessionCookie, type Principal } from '../auth/index.js';
import { AppError } from '../platform/errors.js';
import { authFailures } from '../platform/metrics.js';
import { roleAllows } from './route-config.js';
import type { Services } from './types.js';

/**
 * Authenticates every route that is not declared public, from `Authorization: Bearer` or
 * the session cookie, and checks the route's least role. Runs before the body is parsed,
 * so an anonymous caller learns nothing about a route's input.
 */
export async function authenticate(services: Services, request: FastifyRequest): Promise<void> {
  const required = request.routeOptions.config.auth ?? 'viewer';
  if (required === 'public') return;
  const token = bearerToken(request) ?? request.cookies[sessionCookie];
  if (!token) {
    authFailures.inc({ reason: 'missing' });
    throw new AppError('unauthenticated', 'Log in first: send a session token or API key');
  }
  const principal = await resolveToken(services, token);
  if (!principal) {
    authFailures.inc({ reason: 'invalid' });
    throw new AppError('unauthenticated', 'Your session has expired or was revoked; log in again');
  }
  if (!roleAllows(principal.role, required)) {
    throw new AppError('forbidden', `This needs the ${required} role; you are ${principal.role}`);
  }
  request.principal = principal;
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S{10,200})$/i.exec(header);
  if (!match) throw new AppError('unauthenticated', 'Authorization must be "Bearer <token>"');
  return match[1];
}

/** A session token (`kvs_…`) or an API key (`kvk_…`, Premium): who the request acts as. */
async function resolveToken(services: Services, token: string): Promise<Principal | undefined> {
  if (token.startsWith(`${apiKeyTokenPrefix}_`)) return resolveApiKey(services.db, token);
  return resolveSession(services.db, token);
}
