import type { Database } from '../platform/db/index.js';
import type { TelegramClient } from '../bots/telegram-client.js';
import { assertLease, type SessionLease } from '../platform/fencing.js';
import { listGroups, updateGroupFacts } from '../groups/index.js';

/**
 * Refreshes member counts from Telegram (getChatMemberCount) for the tenant's groups, or
 * just `chatIds`. Joins and leaves move the count in between; this corrects drift (people
 * Telegram did not report, hidden join messages). Fenced: a stale session writes nothing.
 */
export async function refreshMemberCounts(
  deps: { db: Database; lease: SessionLease },
  clientFor: (botId: string) => TelegramClient | undefined,
  chatIds?: number[],
): Promise<void> {
  const groups = (await deps.db.withTenant(deps.lease.tenantId, (tx) => listGroups(tx)))
    .filter((g) => g.botStatus !== 'left' && g.botStatus !== 'kicked' && (!chatIds || chatIds.includes(g.chatId)));
  for (const group of groups) {
    const client = clientFor(group.botId);
    if (!client) continue;
    const memberCount = await client.getChatMemberCount(group.chatId).catch(() => undefined);
    if (memberCount === undefined) continue;
    await deps.db.withTenant(deps.lease.tenantId, async (tx) => {
      await assertLease(tx, deps.lease);
      await updateGroupFacts(tx, group.id, { memberCount });
    });
  }
}
