import type { Database } from '../platform/db/index.js';
import type { Logger } from '../platform/log.js';
import { Second, sleep } from '../platform/time.js';
import type { TelegramClient } from '../bots/telegram-client.js';
import { getDeliveryStatus } from '../delivery/index.js';
import type { FollowUp } from '../messaging/pipeline.js';

/** How long a join request waits for its invite message before it is processed anyway. */
const inviteWait = 30 * Second;

/**
 * Approves or declines a join request once the invite message to the requester has been
 * sent (or has failed): processing the request first would close Telegram's window for
 * that message.
 */
export async function runFollowUp(deps: { db: Database; tenantId: string; log: Logger; wake(): void }, client: TelegramClient, followUp: FollowUp): Promise<void> {
  try {
    if (followUp.afterDeliveryId) {
      deps.wake();
      const deadline = Date.now() + inviteWait;
      while (Date.now() < deadline) {
        const status = await deps.db.withTenant(deps.tenantId, (tx) => getDeliveryStatus(tx, followUp.afterDeliveryId!));
        if (status === undefined || ['sent', 'failed', 'cancelled'].includes(status)) break;
        await sleep(200);
      }
    }
    if (followUp.action === 'approve') await client.approveChatJoinRequest(followUp.chatId, followUp.userId);
    else await client.declineChatJoinRequest(followUp.chatId, followUp.userId);
  } catch (error) {
    deps.log.warn({ err: error, chat_id: followUp.chatId, action: followUp.action }, 'join request follow-up failed');
  }
}
