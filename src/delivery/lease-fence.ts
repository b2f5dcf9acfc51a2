import { assertLease, LeaseLostError, type SessionLease } from '../platform/fencing.js';
import type { Database, TenantTx } from '../platform/db/index.js';

// The fleet's leaf module, not its index: the index exports the worker, whose sessions run
// this context's drainer — importing it from here would make an import cycle.
export { LeaseLostError };

/** The fencing token a worker got with the tenant's lease (table `leases`). */
export type LeaseToken = Pick<SessionLease, 'workerId' | 'epoch'>;

declare const fenced: unique symbol;

/** A tenant transaction that holds the tenant's lease until it ends; only {@link withLease} makes one. */
export interface FencedTx extends TenantTx {
  readonly lease: LeaseToken;
  readonly [fenced]: true;
}

/**
 * Runs `fn` in a tenant transaction that first checks the lease is still ours and keeps it
 * share-locked until commit (the fleet's `assertLease`). The lock matters: a grant to
 * another worker (epoch + 1) must wait for this transaction, so nothing this transaction
 * writes can land after the new holder has looked at the outbox. Throws
 * {@link LeaseLostError} before `fn` runs otherwise.
 *
 * `durable: false` commits without waiting for the WAL flush. Only for writes whose loss
 * in a database crash is harmless: a lost claim or put-back leaves the row queued, a lost
 * answer leaves it `sending` (in doubt, never resent). The attempt record must be durable —
 * and since the WAL is flushed in order, its flush also makes every earlier commit durable.
 */
export function withLease<T>(db: Database, tenantId: string, lease: LeaseToken, fn: (tx: FencedTx) => Promise<T>, options: { durable: boolean } = { durable: true }): Promise<T> {
  return db.withTenant(tenantId, async (tx) => {
    if (!options.durable) await tx.query(`SET LOCAL synchronous_commit = off`);
    await assertLease(tx, lease);
    return fn(Object.assign(tx, { lease: { workerId: lease.workerId, epoch: lease.epoch } }) as unknown as FencedTx);
  });
}
