import type { TenantTx } from '../platform/db/index.js';
import { getConfig } from '../tenancy/index.js';
import type { DeliveryKind } from './kinds.js';
import { windowEndAfter, type DailyWindow } from './zoned-time.js';

/**
 * Quiet hours (a group's own, or the tenant's default `quiet_hours`) keep unsolicited posts
 * out of a group during a local-time window. Planned posts (scheduled, broadcast) wait for
 * the window to end; a welcome is not posted at all, since a greeting hours late is noise,
 * and the history says why. Replies, join-request answers and private chats are never held:
 * someone is waiting for them.
 */
export function quietHoursEffect(kind: DeliveryKind): 'hold' | 'skip' | null {
  if (kind === 'scheduled' || kind === 'broadcast') return 'hold';
  if (kind === 'welcome') return 'skip';
  return null;
}

export type QuietHoursByChat = (botId: string, chatId: number) => DailyWindow | null;

/**
 * The quiet window of each of the given group chats: the group's setting, else the tenant's
 * default. Chats that are not groups of the tenant (private chats) have none.
 */
export async function quietHoursOf(tx: TenantTx, targets: ReadonlyArray<{ botId: string; chatId: number }>): Promise<QuietHoursByChat> {
  const groupChats = [...new Set(targets.filter((t) => t.chatId < 0).map((t) => t.chatId))];
  if (groupChats.length === 0) return () => null;
  const fallback = await getConfig(tx, 'quiet_hours');
  const { rows } = await tx.query<{ bot_id: string; chat_id: string; quiet: DailyWindow | null }>(
    `SELECT bot_id, chat_id, settings->'quietHours' AS quiet FROM groups WHERE chat_id = ANY($1::bigint[])`, [groupChats]);
  const windows = new Map(rows.map((r) => [`${r.bot_id}:${r.chat_id}`, r.quiet ?? fallback]));
  return (botId, chatId) => windows.get(`${botId}:${chatId}`) ?? null;
}

/** When a held message may go, given its earliest time: that time, or the end of the quiet window it falls in. */
export function releaseAfterQuietHours(earliest: Date, window: DailyWindow | null, timeZone: string): Date {
  return (window && windowEndAfter(earliest, window, timeZone)) ?? earliest;
}
