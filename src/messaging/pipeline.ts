import type { Chat, ChatMemberUpdated, ChatJoinRequest, Message, Update } from 'grammy/types';
import type { TenantTx } from '../platform/db/index.js';
import { DailyTally } from '../analytics/rollups.js';
import { markBlocked, openJoinRequestWindow, recordSighting, type TelegramPerson } from '../audience/index.js';
import type { FollowUp, LiveEvent } from '../events/index.js';

export type { FollowUp } from '../events/index.js';
import { adjustMemberCount, findGroupByChat, groupByChatSubquery, groupFromRow, migrateGroup, recordBotMembership, updateGroupFacts, type BotMembership, type Group } from '../groups/index.js';
import { Minute } from '../platform/time.js';
import { claimCooldown, enabledReplyRulesSubquery, matchTrigger, type ReplyRule } from '../rules/index.js';
import { getTemplate, mentionOf, renderTemplate, type TemplateVariables } from '../templates/index.js';
import { getConfig, hasFeature, primeConfig, storedConfigsSubquery } from '../tenancy/index.js';
import { recordInbound } from './history.js';
import { sendFromPipeline } from './outbound.js';

/** The bot an update arrived for (its current username is read with the update's de-duplication). */
export interface PipelineBot {
  id: string;
  telegramBotId: number;
}

export interface PipelineResult {
  duplicate: boolean;
  enqueued: number;
  followUps: FollowUp[];
  events: LiveEvent[];
}

/** Join requests let the bot write to the requester for this long (Telegram's rule). */
export const joinRequestWindow = 5 * Minute;
/** At most one welcome per group in this window, so a mass join never floods the group. */
export const welcomeWindowSeconds = 60;

/** The update types Kovan asks Telegram for (chat_member must be asked for explicitly). */
export const allowedUpdates = ['message', 'edited_message', 'my_chat_member', 'chat_member', 'chat_join_request', 'callback_query'] as const;

/**
 * Handles one update, webhook or polling alike, in the caller's tenant transaction:
 * deduplicated by update id, then people, history, groups, rollups, and the replies it
 * triggers (enqueued, never sent inline). Everything commits or nothing does.
 */
export async function handleUpdate(tx: TenantTx, bot: PipelineBot, rawUpdate: Update): Promise<PipelineResult> {
  const update = withoutNulCharacters(rawUpdate);
  const result: PipelineResult = { duplicate: false, enqueued: 0, followUps: [], events: [] };
  // One round trip: the update is new (and its bot still connected: a webhook route cached
  // by the API may outlive a disconnect), the bot's last update time, written at most
  // every 30 s so concurrent updates of one bot do not queue on its row, the bot's
  // username as it is now (a cached route may predate a rename; `/cmd@name` needs it), and
  // what most updates read next: the tenant's configuration, its enabled reply rules and
  // the group the update comes from.
  const groupChatId = groupChatOf(update);
  const { rows: [seen] } = await tx.query<{ fresh: boolean; username: string; config: Record<string, unknown>; rules: ReplyRule[]; group: Group | null }>(
    `WITH fresh AS (
       INSERT INTO processed_updates (tenant_id, bot_id, update_id)
       SELECT $1, b.id, $3 FROM bots b WHERE b.id = $2 AND b.status <> 'disconnected'
       ON CONFLICT DO NOTHING RETURNING bot_id),
     touched AS (
       UPDATE bots SET last_update_at = now()
        WHERE id IN (SELECT bot_id FROM fresh) AND (last_update_at IS NULL OR last_update_at < now() - interval '30 seconds'))
     SELECT EXISTS (SELECT 1 FROM fresh) AS fresh, (SELECT username FROM bots WHERE id = $2) AS username,
            ${storedConfigsSubquery} AS config, ${enabledReplyRulesSubquery} AS rules, ${groupByChatSubquery('$2', '$4::bigint')} AS "group"`,
    [tx.tenantId, bot.id, update.update_id, groupChatId]);
  if (!seen?.fresh) return { ...result, duplicate: true };
  primeConfig(tx, seen.config);

  const run = new UpdateRun(tx, { ...bot, username: seen.username }, update, result, await getConfig(tx, 'time_zone'), seen.rules);
  if (groupChatId !== null) run.groupAsRead = { chatId: groupChatId, row: seen.group };
  if (update.message) await run.message(update.message);
  else if (update.my_chat_member) await run.botMembership(update.my_chat_member);
  else if (update.chat_join_request) await run.joinRequest(update.chat_join_request);
  run.tally.flush(tx, run.timeZone);
  return result;
}

/** The work of one update, with what it needs at hand. */
class UpdateRun {
  /** The update's daily counters, written once when its work is done. */
  readonly tally = new DailyTally();
  /** The update's group as the first statement read it; used once, before anything writes groups. */
  groupAsRead: { chatId: number; row: Group | null } | undefined;

  constructor(
    readonly tx: TenantTx,
    readonly bot: PipelineBot & { username: string },
    readonly update: Update,
    readonly result: PipelineResult,
    readonly timeZone: string,
    /** The tenant's enabled reply rules in the order they are tried, as the first statement read them. */
    readonly replyRules: readonly ReplyRule[],
  ) {}

  async message(message: Message): Promise<void> {
    const chat = message.chat;
    const at = new Date(message.date * 1000);
    if (chat.type === 'private') return this.privateMessage(message, at);
    if (chat.type === 'channel') return;
    const group = await this.groupFor(chat);

    if (message.migrate_to_chat_id) return migrateGroup(this.tx, this.bot.id, chat.id, message.migrate_to_chat_id);
    if (message.migrate_from_chat_id) return migrateGroup(this.tx, this.bot.id, message.migrate_from_chat_id, chat.id);
    if (message.new_chat_title) return updateGroupFacts(this.tx, group.id, { title: message.new_chat_title });
    if (message.new_chat_members) return this.joined(group, message, at);
    if (message.left_chat_member) {
      if (message.left_chat_member.id === this.bot.telegramBotId) return;
      await this.see(message.left_chat_member, false);
      recordInbound(this.tx, { botId: this.bot.id, chatId: chat.id, chatType: chat.type, telegramMessageId: message.message_id, userId: message.left_chat_member.id, kind: 'leave', at });
      this.tally.add({ leaves: 1 }, chat.id);
      await adjustMemberCount(this.tx, group.id, -1);
      this.event('leave', { chatId: chat.id, userId: message.left_chat_member.id, firstName: message.left_chat_member.first_name });
      return;
    }
    const text = message.text ?? message.caption;
    if (!message.from || text === undefined) return;
    await this.see(message.from, true);
    recordInbound(this.tx, { botId: this.bot.id, chatId: chat.id, chatType: chat.type, telegramMessageId: message.message_id, userId: message.from.id, kind: text.startsWith('/') ? 'command' : 'text', text, at });
    this.tally.add({ messages_in: 1 }, chat.id);
    this.event('message_in', { chatId: chat.id, userId: message.from.id, firstName: message.from.first_name, text: text.slice(0, 200), groupTitle: group.title });
    if (group.enabled && !group.pausedReason && group.settings.autoReply) await this.autoReply(message, text, group);
  }

  async privateMessage(message: Message, at: Date): Promise<void> {
    const from = message.from;
    const text = message.text ?? message.caption;
    if (!from || from.is_bot) return;
    // A person can only write to a bot after starting it: any private message opens the conversation.
    await this.see(from, true, true);
    recordInbound(this.tx, { botId: this.bot.id, chatId: message.chat.id, chatType: 'private', telegramMessageId: message.message_id, userId: from.id, kind: text?.startsWith('/') ? 'command' : 'text', text, at });
    this.tally.add({ messages_in: 1 });
    this.event('message_in', { chatId: message.chat.id, userId: from.id, firstName: from.first_name, text: text?.slice(0, 200) ?? null, private: true });
    if (text === undefined) return;
    if (/^\/start(\s|@|$)/.test(text)) return this.startGreeting(message);
    await this.autoReply(message, text, undefined);
  }

  async startGreeting(message: Message): Promise<void> {
    const templateId = await getConfig(this.tx, 'start_template_id');
    if (!templateId) return;
    const template = await getTemplate(this.tx, templateId).catch(() => undefined);
    if (!template) return;
    await this.send({ chatId: message.chat.id, kind: 'welcome', templateId, replyToMessageId: message.message_id, idempotencyKey: `start:${this.bot.id}:${this.update.update_id}` },
      template.content, this.variablesFor(message.from!, undefined));
  }

  async joined(group: Group, message: Message, at: Date): Promise<void> {
    const people = message.new_chat_members!.filter((m) => m.id !== this.bot.telegramBotId);
    for (const person of people) {
      await this.see(person, false);
      recordInbound(this.tx, { botId: this.bot.id, chatId: group.chatId, chatType: group.type, telegramMessageId: message.message_id, userId: person.id, kind: 'join', at });
      this.event('join', { chatId: group.chatId, userId: person.id, firstName: person.first_name, groupTitle: group.title });
    }
    // The welcome counts the newcomers: {member_count} is the count after they joined.
    let counted = group;
    if (people.length > 0) {
      this.tally.add({ joins: people.length }, group.chatId);
      counted = { ...group, memberCount: (await adjustMemberCount(this.tx, group.id, people.length)) ?? group.memberCount };
    }
    const first = people.find((p) => !p.is_bot);
    const templateId = group.settings.welcomeTemplateId;
    if (!first || !templateId || !group.enabled || group.pausedReason || !group.settings.welcomeEnabled) return;
    const template = await getTemplate(this.tx, templateId).catch(() => undefined);
    if (!template) return;
    const window = Math.floor(message.date / welcomeWindowSeconds);
    await this.send({ chatId: group.chatId, kind: 'welcome', templateId, idempotencyKey: `welcome:${this.bot.id}:${group.chatId}:${window}` },
      template.content, this.variablesFor(first, counted));
  }

  async botMembership(change: ChatMemberUpdated): Promise<void> {
    const status = change.new_chat_member.status as BotMembership;
    if (change.new_chat_member.user.id !== this.bot.telegramBotId) return;
    if (change.chat.type === 'private') {
      await this.see(change.from, false);
      await markBlocked(this.tx, change.chat.id, status === 'kicked');
      return;
    }
    if (change.chat.type === 'channel') return;
    const member = change.new_chat_member as { can_invite_users?: boolean; can_delete_messages?: boolean };
    const group = await recordBotMembership(this.tx, this.bot.id, chatSeen(change.chat), status, {
      canInvite: status === 'administrator' && Boolean(member.can_invite_users),
      canDelete: status === 'administrator' && Boolean(member.can_delete_messages),
    });
    this.event('group', { groupId: group.id, chatId: group.chatId, title: group.title, botStatus: status, pausedReason: group.pausedReason });
  }

  async joinRequest(request: ChatJoinRequest): Promise<void> {
    const at = new Date(request.date * 1000);
    await this.see(request.from, false);
    await openJoinRequestWindow(this.tx, request.from.id, new Date(at.getTime() + joinRequestWindow));
    recordInbound(this.tx, { botId: this.bot.id, chatId: request.chat.id, chatType: request.chat.type, userId: request.from.id, kind: 'join_request', text: request.bio, at });
    this.tally.add({ join_requests: 1 }, request.chat.id);
    this.event('join_request', { chatId: request.chat.id, userId: request.from.id, firstName: request.from.first_name });
    const group = await this.groupFor(request.chat);
    if (!group.enabled || group.pausedReason) return;

    let afterDeliveryId: string | undefined;
    const templateId = group.settings.inviteTemplateId;
    const template = templateId ? await getTemplate(this.tx, templateId).catch(() => undefined) : undefined;
    if (template) {
      const outcome = await this.send({ chatId: request.user_chat_id, kind: 'join_request', templateId: template.id, idempotencyKey: `joinreq:${this.bot.id}:${request.chat.id}:${request.from.id}:${request.date}` },
        template.content, this.variablesFor(request.from, group));
      afterDeliveryId = outcome?.id;
    }
    const action = group.settings.joinRequestAction;
    if (action !== 'leave_pending') this.result.followUps.push({ action, chatId: request.chat.id, userId: request.from.id, afterDeliveryId });
  }

  /** First matching rule wins; a rule in cooldown means no reply for this message. */
  async autoReply(message: Message, text: string, group: Group | undefined): Promise<void> {
    if (!message.from) return;
    for (const rule of this.replyRules) {
      if (group ? rule.scope === 'private' : rule.scope === 'groups') continue;
      if (group && rule.groupIds.length > 0 && !rule.groupIds.includes(group.id)) continue;
      if (matchTrigger(rule, text, this.bot.username) !== 'match') continue;
      // The plan is read only when a rule matches: most messages match none (or the tenant has no rules).
      if (!(await hasFeature(this.tx, 'auto_reply'))) return;
      if (!(await claimCooldown(this.tx, rule, message.from.id, message.chat.id))) return;
      const template = await getTemplate(this.tx, rule.templateId);
      await this.send({ chatId: message.chat.id, kind: 'reply', templateId: template.id, replyToMessageId: message.message_id, idempotencyKey: `rule:${rule.id}:${this.bot.id}:${this.update.update_id}` },
        template.content, this.variablesFor(message.from, group));
      return;
    }
  }

  async send(request: { chatId: number; kind: 'reply' | 'welcome' | 'join_request'; templateId: string; replyToMessageId?: number; idempotencyKey: string }, content: string, variables: TemplateVariables): Promise<{ id: string } | undefined> {
    const parseMode = (await getConfig(this.tx, 'default_parse_mode')) === 'HTML' ? 'HTML' as const : undefined;
    const text = await renderTemplate(content, variables);
    const outcome = await sendFromPipeline(this.tx, { botId: this.bot.id, ...request, text, parseMode });
    if (outcome.status === 'accepted') this.result.enqueued++;
    return outcome.status === 'accepted' || outcome.status === 'duplicate' ? { id: outcome.id } : undefined;
  }

  async see(person: TelegramPerson, wroteMessage: boolean, startedChat = false): Promise<void> {
    const sighting = await recordSighting(this.tx, person, this.timeZone, { wroteMessage, startedChat });
    this.tally.add({ new_users: sighting.isNew ? 1 : 0, active_users: sighting.firstToday ? 1 : 0 });
  }

  /** The group of a chat; a group the bot was in before Kovan knew it is recorded now. */
  async groupFor(chat: Chat): Promise<Group> {
    const asRead = this.groupAsRead?.chatId === chat.id ? this.groupAsRead : undefined;
    this.groupAsRead = undefined;
    const found = asRead ? await groupFromRow(this.tx, asRead.row) : await findGroupByChat(this.tx, this.bot.id, chat.id);
    return found
      ?? recordBotMembership(this.tx, this.bot.id, chatSeen(chat), 'member', { canInvite: false, canDelete: false });
  }

  variablesFor(person: TelegramPerson, group: Group | undefined): TemplateVariables {
    const now = new Date();
    const local = new Intl.DateTimeFormat('sv-SE', { timeZone: this.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(now);
    const fullName = [person.first_name, person.last_name].filter(Boolean).join(' ');
    return {
      first_name: person.first_name, last_name: person.last_name ?? '', full_name: fullName, username: person.username ?? '',
      mention: mentionOf(person.id, person.first_name), user_id: person.id, group_title: group?.title ?? '',
      member_count: group?.memberCount ?? '', bot_username: this.bot.username, date: local.slice(0, 10), time: local.slice(11, 16),
    };
  }

  event(type: LiveEvent['type'], data: Record<string, unknown>): void {
    this.result.events.push({ type, at: new Date().toISOString(), data });
  }
}

/**
 * PostgreSQL text cannot hold U+0000. An update is Telegram's, not the tenant's input: it is
 * stored without the NULs rather than refused (a refused webhook would be retried forever).
 */
function withoutNulCharacters<T>(value: T): T {
  if (typeof value === 'string') return (value.includes('\u0000') ? value.replaceAll('\u0000', '') : value) as T;
  if (Array.isArray(value)) return value.map(withoutNulCharacters) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNulCharacters(v)])) as T;
  }
  return value;
}

/** The group chat an update comes from, when the pipeline will look its group up; null otherwise. */
function groupChatOf(update: Update): number | null {
  const chat = update.message?.chat ?? update.chat_join_request?.chat;
  return chat && (chat.type === 'group' || chat.type === 'supergroup') ? chat.id : null;
}

function chatSeen(chat: Chat): { chatId: number; type: 'group' | 'supergroup' | 'channel'; title: string; username?: string } {
  const c = chat as { id: number; type: 'group' | 'supergroup' | 'channel'; title?: string; username?: string };
  return { chatId: c.id, type: c.type, title: c.title ?? String(c.id), username: c.username };
}
