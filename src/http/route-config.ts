import type { Principal, Role } from '../auth/index.js';

/**
 * What every route declares besides its schema. Authentication is on by default: a route
 * that serves anonymous callers must say `auth: 'public'`.
 */
export interface RouteConfig {
  /** `public`, or the least role that may call the route (viewer < admin < owner). Default: viewer. */
  auth?: 'public' | Role;
  /**
   * For routes with an `:id`-like parameter: the tenant resource it names. The isolation
   * test creates one in another tenant for each kind and expects 404.
   */
  resource?: string;
  /**
   * A valid body for this route, used by the generated isolation and bad-input tests when
   * `{}` is not one (so the test reaches the tenant check instead of stopping at validation).
   */
  example?: unknown;
  /** Per-client request budget; `key` picks what is counted (default: client IP). */
  rateLimit?: { max: number; windowMs: number; key?: 'ip' | 'principal' };
}

declare module 'fastify' {
  interface FastifyContextConfig extends RouteConfig {}
  interface FastifyRequest {
    /** Set by authentication for every non-public route. */
    principal?: Principal;
  }
}

const roleRank: Record<Role, number> = { viewer: 1, admin: 2, owner: 3 };

export function roleAllows(actual: Role, required: Role): boolean {
  return roleRank[actual] >= roleRank[required];
}
