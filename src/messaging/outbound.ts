import type { TenantTx } from '../platform/db/index.js';
import { mayMessagePrivately } from '../audience/index.js';
import { enqueueDelivery, type DeliveryRequest, type EnqueueResult } from '../delivery/index.js';

/**
 * Every message the pipeline decides to send goes through here: private chats are
 * checked first (no cold messages: only people who wrote to the bot, or asked to join in
 * the last 5 minutes), then the message joins the outbox in the same transaction.
 */
export async function sendFromPipeline(tx: TenantTx, request: DeliveryRequest): Promise<EnqueueResult | { status: 'refused'; reason: 'no_conversation' }> {
  const isPerson = request.chatId > 0;
  if (isPerson && !(await mayMessagePrivately(tx, request.chatId))) return { status: 'refused', reason: 'no_conversation' };
  return enqueueDelivery(tx, request);
}
