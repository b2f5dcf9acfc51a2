import type { ChatMember, UserFromGetMe } from 'grammy/types';
import type { SecretBox } from '../platform/crypto.js';
import type { Database } from '../platform/db/index.js';
import { listGroups, recordBotMembership, type BotMembership } from '../groups/index.js';
import { openBotCredentials } from './bots.js';
import { TelegramClient } from './telegram-client.js';
import { TelegramCallError } from './telegram-errors.js';
import type { ChecklistItem, GroupRights, SetupChecklist } from './contract.js';

export type { CheckStatus, ChecklistItem, GroupRights, SetupChecklist } from './contract.js';

export interface ChecklistDeps {
  db: Database;
  secrets: SecretBox;
  apiRoot: string;
  /** Set in webhook mode: the webhook must point under it. */
  publicUrl?: string;
}

/** Groups checked per run; Telegram answers getChatMember quickly, but a bot in thousands of groups would take long. */
const maxGroupsChecked = 100;
const groupCheckConcurrency = 5;

/**
 * Checks a bot's setup against Telegram itself, not against what Kovan last recorded: the
 * token (getMe), privacy mode (can_read_all_group_messages), the bot's rights in each
 * group (getChatMember: invite users, delete messages) and the webhook (getWebhookInfo).
 * The database transaction only reads credentials and groups; Telegram is called after it,
 * and rights that changed are written back in a second short transaction.
 */
export async function runSetupChecklist(deps: ChecklistDeps, tenantId: string, botId: string): Promise<SetupChecklist> {
  const { credentials, groups } = await deps.db.withTenant(tenantId, async (tx) => ({
    credentials: await openBotCredentials(tx, deps.secrets, botId),
    groups: (await listGroups(tx)).filter((g) => g.botId === botId),
  }));
  const client = new TelegramClient(credentials.token, deps.apiRoot);
  const items: ChecklistItem[] = [];

  let me: UserFromGetMe | undefined;
  try {
    me = await client.getMe();
    items.push({ id: 'token', title: 'Bot token', status: 'ok', detail: `Telegram knows the token: @${me.username}` });
  } catch (error) {
    const revoked = error instanceof TelegramCallError && error.failure.kind === 'unauthorized';
    items.push({
      id: 'token', title: 'Bot token', status: revoked ? 'failed' : 'skipped',
      detail: revoked ? 'Telegram rejects the token: it was revoked in @BotFather. Connect the bot again with the new token.'
        : `Telegram could not be reached (${describe(error)}); try again shortly.`,
    });
  }
  if (!me) {
    for (const [id, title] of [['privacy_mode', 'Privacy mode'], ['group_admin', 'Admin rights in groups'], ['webhook', 'Webhook']] as const) {
      items.push({ id, title, status: 'skipped', detail: 'Needs a working token first.' });
    }
    return finish(botId, items);
  }

  items.push(me.can_read_all_group_messages
    ? { id: 'privacy_mode', title: 'Privacy mode', status: 'ok', detail: 'Privacy mode is off: the bot reads every group message, so keyword replies work.' }
    : { id: 'privacy_mode', title: 'Privacy mode', status: 'warning', detail: 'Privacy mode is on: in groups the bot only sees commands and replies to it. In @BotFather: /setprivacy → Disable, then remove and re-add the bot to each group.' });

  const live = groups.filter((g) => g.removedAt === null).slice(0, maxGroupsChecked);
  const rights = await mapLimited(live, groupCheckConcurrency, async (group): Promise<GroupRights> => {
    const base = { groupId: group.id, chatId: group.chatId, title: group.title };
    try {
      const member = await client.getChatMember(group.chatId, me.id);
      return { ...base, ...judgeRights(member) };
    } catch (error) {
      const gone = goneFrom(error);
      return {
        ...base, status: gone ? 'failed' : 'skipped', membership: gone ?? 'unknown', canInviteUsers: false, canDeleteMessages: false,
        detail: gone ? 'The bot is no longer in this group (removed or the group is gone).' : `Could not check: ${describe(error)}`,
      };
    }
  });
  await recordChangedRights(deps.db, tenantId, botId, groups, rights);
  items.push(groupItem(rights, groups.length > live.length && live.length === maxGroupsChecked));

  items.push(await webhookItem(client, credentials.mode, credentials.routeId, deps.publicUrl));
  return finish(botId, items);
}

/** Telegram refused because the bot is out of the group: kicked, or left (not a member, or the chat is gone). */
function goneFrom(error: unknown): 'kicked' | 'left' | undefined {
  if (!(error instanceof TelegramCallError)) return undefined;
  const failure = error.failure;
  if (failure.kind === 'chat_not_found') return 'left';
  if (failure.kind !== 'forbidden') return undefined;
  return failure.reason === 'kicked' ? 'kicked' : 'left';
}

function judgeRights(member: ChatMember): Omit<GroupRights, 'groupId' | 'chatId' | 'title'> {
  const membership = member.status === 'creator' ? 'administrator' : member.status as BotMembership;
  const admin = member as { can_invite_users?: boolean; can_delete_messages?: boolean };
  const canInviteUsers = member.status === 'administrator' && Boolean(admin.can_invite_users);
  const canDeleteMessages = member.status === 'administrator' && Boolean(admin.can_delete_messages);
  if (membership === 'left' || membership === 'kicked') {
    return { status: 'failed', membership, canInviteUsers, canDeleteMessages, detail: 'The bot is not a member of this group any more.' };
  }
  const missing = [...(canInviteUsers ? [] : ['invite users']), ...(canDeleteMessages ? [] : ['delete messages'])];
  if (missing.length === 0) return { status: 'ok', membership, canInviteUsers, canDeleteMessages, detail: 'Admin with the rights Kovan uses.' };
  const advice = membership === 'administrator' ? `Give the bot the right to ${missing.join(' and ')}.` : `Make the bot an admin that can ${missing.join(' and ')}.`;
  return { status: 'warning', membership, canInviteUsers, canDeleteMessages, detail: `${advice} Without it, join requests and invite links ${canInviteUsers ? 'work' : 'cannot be handled'}.` };
}

function groupItem(rights: GroupRights[], truncated: boolean): ChecklistItem {
  const title = 'Admin rights in groups';
  if (rights.length === 0) return { id: 'group_admin', title, status: 'warning', detail: 'The bot is in no group yet: add it to a group and make it an admin.', groups: [] };
  const worst = rights.some((r) => r.status === 'failed') ? 'failed' : rights.some((r) => r.status === 'warning') ? 'warning'
    : rights.some((r) => r.status === 'skipped') ? 'skipped' : 'ok';
  const good = rights.filter((r) => r.status === 'ok').length;
  return {
    id: 'group_admin', title, status: worst, groups: rights,
    detail: `${good} of ${rights.length} groups give the bot every right it uses${truncated ? ` (the first ${rights.length} groups were checked)` : ''}.`,
  };
}

async function webhookItem(client: TelegramClient, mode: 'polling' | 'webhook', routeId: string, publicUrl: string | undefined): Promise<ChecklistItem> {
  const title = 'Webhook';
  let info;
  try {
    info = await client.getWebhookInfo();
  } catch (error) {
    return { id: 'webhook', title, status: 'skipped', detail: `Could not check: ${describe(error)}` };
  }
  if (mode === 'polling') {
    return info.url
      ? { id: 'webhook', title, status: 'warning', detail: 'The bot polls for updates, but a webhook is set at Telegram; the session removes it when it starts.' }
      : { id: 'webhook', title, status: 'ok', detail: 'The bot polls for updates; no webhook is set, as it should be.' };
  }
  const expected = publicUrl ? `${publicUrl.replace(/\/$/, '')}/tg/${routeId}` : undefined;
  if (!info.url) return { id: 'webhook', title, status: 'failed', detail: 'No webhook is set at Telegram: updates are not arriving. The session sets it again when it starts.' };
  if (expected && info.url !== expected) return { id: 'webhook', title, status: 'failed', detail: 'The webhook at Telegram points somewhere else (another service uses this bot?).' };
  const recentError = info.last_error_date !== undefined && Date.now() / 1000 - info.last_error_date < 15 * 60;
  if (recentError) return { id: 'webhook', title, status: 'warning', detail: `Telegram reported a delivery error ${Math.round(Date.now() / 1000 - info.last_error_date!)} s ago: ${info.last_error_message ?? 'unknown error'}.` };
  if (info.pending_update_count > 100) return { id: 'webhook', title, status: 'warning', detail: `${info.pending_update_count} updates are waiting at Telegram: deliveries are slow.` };
  return { id: 'webhook', title, status: 'ok', detail: 'The webhook is set and Telegram delivers to it without errors.' };
}

/** Rights Telegram reported that differ from what Kovan recorded are written back (the group list shows them). */
async function recordChangedRights(db: Database, tenantId: string, botId: string, groups: Awaited<ReturnType<typeof listGroups>>, rights: GroupRights[]): Promise<void> {
  const changed = rights.filter((r) => {
    const group = groups.find((g) => g.id === r.groupId);
    return group && r.membership !== 'unknown' && (group.botStatus !== r.membership || group.botCanInvite !== r.canInviteUsers || group.botCanDelete !== r.canDeleteMessages);
  });
  if (changed.length === 0) return;
  await db.withTenant(tenantId, async (tx) => {
    for (const r of changed) {
      const group = groups.find((g) => g.id === r.groupId)!;
      await recordBotMembership(tx, botId, { chatId: group.chatId, type: group.type, title: group.title, username: group.username ?? undefined },
        r.membership as BotMembership, { canInvite: r.canInviteUsers, canDelete: r.canDeleteMessages });
    }
  });
}

function finish(botId: string, items: ChecklistItem[]): SetupChecklist {
  return { botId, checkedAt: new Date().toISOString(), ready: !items.some((i) => i.status === 'failed') && items[0]?.status === 'ok', items };
}

function describe(error: unknown): string {
  return error instanceof TelegramCallError ? error.failure.description : error instanceof Error ? error.message : String(error);
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return results;
}
