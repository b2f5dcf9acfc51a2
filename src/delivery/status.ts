import type { TenantTx } from '../platform/db/index.js';

/** Where an accepted message is: waiting, held by a pause, being sent, or finished. */
export type DeliveryStatus = 'queued' | 'paused' | 'claimed' | 'sending' | 'sent' | 'failed' | 'cancelled';

/**
 * The state of one accepted message, or undefined when there is none (never accepted, or
 * finished long enough ago to be pruned). Lets a caller wait for a message to be out
 * before acting (a join request is approved only after its invite message went).
 */
export async function getDeliveryStatus(tx: TenantTx, deliveryId: string): Promise<DeliveryStatus | undefined> {
  const { rows } = await tx.query<{ status: DeliveryStatus }>(`SELECT status FROM outbox WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, deliveryId]);
  return rows[0]?.status;
}
