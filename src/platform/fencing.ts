import type { TenantTx } from './db/index.js';

/**
 * Fencing by lease (the fleet grants leases; delivery and sessions check them in every write).
 * A worker's hold on one tenant's session: who holds it, and the fencing epoch of the grant.
 */
export interface SessionLease {
  tenantId: string;
  workerId: string;
  epoch: number;
}

/** The lease was lost (expired, taken over): the holder must stop and write nothing more. */
export class LeaseLostError extends Error {
  constructor(readonly lease: SessionLease) {
    super(`lease of tenant ${lease.tenantId} (epoch ${lease.epoch}) is no longer held by ${lease.workerId}`);
    this.name = 'LeaseLostError';
  }
}

/**
 * Fencing: checks, inside the caller's transaction, that this worker still holds the
 * tenant's lease with this epoch and that it has not expired (database clock). The row is
 * locked FOR SHARE, so no one can take the lease over until the transaction ends: a
 * paused or stale worker's write either commits while it truly holds the lease, or fails.
 */
export async function assertLease(tx: TenantTx, lease: Pick<SessionLease, 'workerId' | 'epoch'>): Promise<void> {
  const { rows } = await tx.query(
    `SELECT 1 FROM leases WHERE worker_id = $1 AND epoch = $2 AND expires_at > now() FOR SHARE`, [lease.workerId, lease.epoch]);
  if (rows.length === 0) throw new LeaseLostError({ tenantId: tx.tenantId, ...lease });
}
