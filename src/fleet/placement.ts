import type { TenantTx } from '../platform/db/index.js';
import { recordAudit } from '../tenancy/index.js';

/** A pool name as workers are started with it (`WORKER_POOL`): lower-case letters, digits, dashes. */
export const poolName = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Pins the tenant's sessions to a worker pool: `shared`, or a dedicated pool that isolates
 * an Enterprise tenant on its own workers. The lease moves with it at once, so its current
 * holder (a worker of the old pool) cannot renew it, drops the session at its next tick, and
 * a worker of the new pool claims it when the lease expires: never two pollers at once.
 */
export async function pinTenantToPool(tx: TenantTx, pool: string, memberId?: string): Promise<void> {
  const before = (await tx.query<{ worker_pool: string }>(`SELECT worker_pool FROM tenants`)).rows[0]?.worker_pool;
  await tx.query(`UPDATE tenants SET worker_pool = $1`, [pool]);
  await tx.query(`UPDATE leases SET pool = $1`, [pool]);
  await recordAudit(tx, { memberId, action: 'tenant.pool_changed', entity: 'tenant', entityId: tx.tenantId, before: { pool: before }, after: { pool } });
}
