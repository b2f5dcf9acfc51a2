import { openBotCredentials, TelegramCallError, TelegramClient } from '../bots/index.js';
import type { SecretBox } from '../platform/crypto.js';
import type { Database } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { recordAudit } from '../tenancy/index.js';
import { getGroup, recordBotMembership, type Group } from './groups.js';

export interface LeaveDeps {
  db: Database;
  secrets: SecretBox;
  apiRoot: string;
}

/**
 * Makes the bot leave a group through Telegram (leaveChat), then records it as removed,
 * the same way a `my_chat_member` "left" update would (settings and history are kept).
 * Telegram is called outside any transaction. Leaving a group the bot already left is a
 * no-op; a group Telegram says the bot is not in is recorded as left as well.
 */
export async function leaveGroup(deps: LeaveDeps, tenantId: string, groupId: string, memberId?: string): Promise<Group> {
  const { group, credentials } = await deps.db.withTenant(tenantId, async (tx) => {
    const found = await getGroup(tx, groupId);
    return { group: found, credentials: found.removedAt ? undefined : await openBotCredentials(tx, deps.secrets, found.botId).catch(() => undefined) };
  });
  if (group.removedAt) return group;
  if (!credentials) throw new AppError('conflict', 'The bot of this group is disconnected: connect it again to make it leave');
  try {
    await new TelegramClient(credentials.token, deps.apiRoot).leaveChat(group.chatId);
  } catch (error) {
    const kind = error instanceof TelegramCallError ? error.failure.kind : 'transient';
    if (kind !== 'forbidden' && kind !== 'chat_not_found') {
      throw new AppError('upstream_failed', kind === 'unauthorized'
        ? 'Telegram rejects the bot token (revoked?): reconnect the bot, then try again'
        : 'Telegram could not be reached to leave the group; try again shortly', { telegram: kind });
    }
  }
  return deps.db.withTenant(tenantId, async (tx) => {
    const left = await recordBotMembership(tx, group.botId, { chatId: group.chatId, type: group.type, title: group.title, username: group.username ?? undefined }, 'left', { canInvite: false, canDelete: false });
    await recordAudit(tx, { memberId, action: 'group.left', entity: 'group', entityId: group.id, before: { title: group.title, botStatus: group.botStatus }, after: { botStatus: 'left' } });
    return left;
  });
}
