import { migrateGroup } from '../groups/index.js';
import type { TenantTx } from '../platform/db/index.js';

/**
 * The chats messages go to, as delivery sees them. The groups and audience contexts own
 * `groups` and `tg_users`; delivery reads them to refuse messages that cannot or may not go
 * out, and records the few facts only a send reveals (blocked, kicked, chat gone); a
 * migration goes through the groups context. These statements are the only places delivery
 * touches those tables.
 */

/** Why a target refuses messages at enqueue time. */
export type TargetProblem =
  /** The bot is not connected (or not this tenant's). */
  | 'bot_unavailable'
  /** The group is switched off by the tenant, or paused by Kovan (e.g. it stopped existing). */
  | 'group_paused'
  /** The bot left or was removed from the group. */
  | 'group_unavailable'
  /** The group is beyond the plan's group count (the oldest groups keep working). */
  | 'group_limit'
  /** The user blocked the bot. */
  | 'recipient_blocked';

/** Group and private chat ids are told apart by sign, as in the Bot API. */
export function isGroupChat(chatId: number): boolean {
  return chatId < 0;
}

/**
 * Checks the chats one bot would message. The group count is enforced here too, at the
 * moment a message is accepted, with the groups context's ranking (groups not removed, by
 * when the bot joined them; the first `maxGroups` run): the limit is read from the plan on
 * every enqueue, so a plan change takes effect at once even before the groups context
 * re-pauses its groups.
 */
export async function checkTargets(tx: TenantTx, botId: string, chatIds: readonly number[], maxGroups: number | null): Promise<Map<number, TargetProblem>> {
  const problems = new Map<number, TargetProblem>();
  const bot = (await tx.query<{ status: string }>(`SELECT status FROM bots WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, botId])).rows[0];
  if (!bot || bot.status === 'disconnected') {
    for (const chatId of chatIds) problems.set(chatId, 'bot_unavailable');
    return problems;
  }
  const groupChats = [...new Set(chatIds.filter(isGroupChat))];
  if (groupChats.length > 0) {
    const { rows } = await tx.query<{ chatId: number; enabled: boolean; pausedReason: string | null; gone: boolean; rank: number | null }>(
      `SELECT g.chat_id AS "chatId", g.enabled, g.paused_reason AS "pausedReason",
              (g.removed_at IS NOT NULL OR g.bot_status IN ('left', 'kicked')) AS gone, r.rank
         FROM groups g
         LEFT JOIN (SELECT id, row_number() OVER (ORDER BY added_at, id) AS rank FROM groups
                     WHERE tenant_id = $1 AND removed_at IS NULL AND NOT try_it) r ON r.id = g.id
        WHERE g.tenant_id = $1 AND g.bot_id = $2 AND g.chat_id = ANY($3::bigint[])`,
      [tx.tenantId, botId, groupChats]);
    for (const g of rows) {
      if (g.gone) problems.set(g.chatId, 'group_unavailable');
      else if (!g.enabled || g.pausedReason) problems.set(g.chatId, 'group_paused');
      else if (maxGroups !== null && g.rank !== null && g.rank > maxGroups) problems.set(g.chatId, 'group_limit');
    }
  }
  const userChats = [...new Set(chatIds.filter((id) => !isGroupChat(id)))];
  if (userChats.length > 0) {
    const { rows } = await tx.query<{ userId: number }>(
      `SELECT user_id AS "userId" FROM tg_users WHERE tenant_id = $1 AND user_id = ANY($2::bigint[]) AND blocked_at IS NOT NULL`,
      [tx.tenantId, userChats]);
    for (const u of rows) problems.set(u.userId, 'recipient_blocked');
  }
  return problems;
}

/** What a refused send revealed about its target. */
export type TargetLoss = 'blocked' | 'kicked' | 'not_member' | 'chat_not_found';

/**
 * Records that a chat can no longer receive this bot's messages, so later enqueues are
 * refused up front ({@link checkTargets}) instead of failing at Telegram one by one.
 */
export async function recordTargetLoss(tx: TenantTx, botId: string, chatId: number, loss: TargetLoss): Promise<void> {
  if (!isGroupChat(chatId)) {
    if (loss === 'blocked') {
      await tx.query(`UPDATE tg_users SET blocked_at = now() WHERE tenant_id = $1 AND user_id = $2 AND blocked_at IS NULL`, [tx.tenantId, chatId]);
    }
    return;
  }
  if (loss === 'chat_not_found') {
    await tx.query(`UPDATE groups SET enabled = false, paused_reason = 'chat_not_found', updated_at = now()
                     WHERE tenant_id = $1 AND bot_id = $2 AND chat_id = $3`, [tx.tenantId, botId, chatId]);
  } else {
    await tx.query(`UPDATE groups SET bot_status = $4, updated_at = now() WHERE tenant_id = $1 AND bot_id = $2 AND chat_id = $3`,
      [tx.tenantId, botId, chatId, loss === 'kicked' ? 'kicked' : 'left']);
  }
}

/**
 * The group became a supergroup: its old id stops working. The group row follows it (unless
 * the update pipeline already recorded the supergroup), and every unsent message to the old
 * id is pointed at the new one.
 */
export async function retargetChat(tx: TenantTx, botId: string, fromChatId: number, toChatId: number): Promise<void> {
  await migrateGroup(tx, botId, fromChatId, toChatId);
  await tx.query(
    `UPDATE outbox SET chat_id = $4 WHERE tenant_id = $1 AND bot_id = $2 AND chat_id = $3 AND status IN ('queued', 'claimed', 'paused')`,
    [tx.tenantId, botId, fromChatId, toChatId]);
}

/** A group as a schedule run needs it: where to send, and what its template variables say. */
export interface GroupTarget {
  groupId: string;
  botId: string;
  botUsername: string;
  chatId: number;
  title: string;
  memberCount: number | null;
}

/** The tenant's groups among `groupIds` that still exist (removed ones are left to {@link checkTargets} to refuse). */
export async function groupTargets(tx: TenantTx, groupIds: readonly string[]): Promise<GroupTarget[]> {
  if (groupIds.length === 0) return [];
  const { rows } = await tx.query<GroupTarget>(
    `SELECT g.id AS "groupId", g.bot_id AS "botId", b.username AS "botUsername", g.chat_id AS "chatId", g.title, g.member_count AS "memberCount"
       FROM groups g JOIN bots b ON b.tenant_id = g.tenant_id AND b.id = g.bot_id
      WHERE g.tenant_id = $1 AND g.id = ANY($2::uuid[])
      ORDER BY array_position($2::uuid[], g.id)`,
    [tx.tenantId, groupIds]);
  return rows;
}
