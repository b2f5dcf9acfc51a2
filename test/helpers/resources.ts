import type { TestApi } from './api.js';

export interface TenantSession {
  token: string;
  tenantId: string;
  memberId: string;
}

/**
 * How to create one resource of each kind a route can name in its path, through the real
 * API. A route that declares `config.resource` needs a factory here; the isolation matrix
 * fails loudly when one is missing, so no route can dodge it.
 */
export const resourceFactories: Record<string, (api: TestApi, owner: TenantSession) => Promise<string>> = {};

export function registerResourceFactory(kind: string, factory: (api: TestApi, owner: TenantSession) => Promise<string>): void {
  resourceFactories[kind] = factory;
}
