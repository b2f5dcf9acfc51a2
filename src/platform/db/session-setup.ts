import type { Queryable } from './types.js';

/**
 * Scopes the current transaction to a tenant. `set_config(…, true)` is transaction-local,
 * so a pooled connection never carries one tenant's setting into the next transaction.
 */
export async function scopeToTenant(tx: Queryable, tenantId: string): Promise<void> {
  await tx.query(`SELECT set_config('app.tenant_id', $1::uuid::text, true)`, [tenantId]);
}

/** Clears any tenant scope inside the current transaction. */
export async function scopeToNoTenant(tx: Queryable): Promise<void> {
  await tx.query(`SELECT set_config('app.tenant_id', '', true)`);
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Guards `withTenant` against a non-id reaching `set_config` (it would fail as a 500 otherwise). */
export function assertTenantId(tenantId: string): void {
  if (!uuidPattern.test(tenantId)) throw new TypeError(`not a tenant id: ${JSON.stringify(tenantId)}`);
}
