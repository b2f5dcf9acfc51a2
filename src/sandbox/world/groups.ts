import { z } from 'zod';
import type { Chat, ChatMember, User } from 'grammy/types';
import { TelegramTimings } from '../config.js';
import type { SandboxCore } from '../core.js';
import { unixTime } from '../durations.js';
import { SandboxError } from '../errors.js';
import type { AdminRights, GroupRecord, InviteLinkRecord } from '../records.js';
import type { ChatMessage } from '../store.js';
import { newHistory } from '../store.js';
import { allPermissions, botUserView, chatMemberView, defaultAdminRights, groupChatView, hasRight, isPresent, userView } from '../views.js';
import { parseInput, telegramId, username } from './input.js';

export const createGroupInput = z.object({
  title: z.string().min(1).max(128),
  type: z.enum(['group', 'supergroup']),
  /** Users in the group from the start; the first is the owner unless `ownerId` says otherwise. */
  memberIds: z.array(telegramId).default([]),
  ownerId: telegramId.optional(),
  /** Public @username; supergroups only. */
  username: username.optional(),
});
export type CreateGroupInput = z.input<typeof createGroupInput>;

/** Admin rights a bot gets; unspecified ones default to what Telegram's "add admin" dialog grants. */
export const botRightsInput = z.object({
  canInviteUsers: z.boolean().optional(),
  canDeleteMessages: z.boolean().optional(),
  canRestrictMembers: z.boolean().optional(),
  canPinMessages: z.boolean().optional(),
});
export type BotRightsInput = z.input<typeof botRightsInput>;

export const addBotInput = botRightsInput.extend({
  admin: z.boolean().default(false),
  /** The user who adds the bot; the group's owner by default. */
  addedBy: telegramId.optional(),
});
export type AddBotInput = z.input<typeof addBotInput>;

export const joinInput = z.object({ inviteLink: z.string().optional() });
export type JoinInput = z.input<typeof joinInput>;

export const joinRequestInput = z.object({ inviteLink: z.string().optional(), bio: z.string().max(70).optional() });
export type JoinRequestInput = z.input<typeof joinRequestInput>;

/** The slow-mode delays Telegram offers, in seconds. */
const slowModeDelays = [0, 10, 30, 60, 300, 900, 3600];

function adminRights(input: BotRightsInput): AdminRights {
  const overrides: Partial<AdminRights> = {
    ...(input.canInviteUsers === undefined ? {} : { can_invite_users: input.canInviteUsers }),
    ...(input.canDeleteMessages === undefined ? {} : { can_delete_messages: input.canDeleteMessages }),
    ...(input.canRestrictMembers === undefined ? {} : { can_restrict_members: input.canRestrictMembers }),
    ...(input.canPinMessages === undefined ? {} : { can_pin_messages: input.canPinMessages }),
  };
  return defaultAdminRights(overrides);
}

/** The fields of the group service messages posted here. */
type ServiceFields = Pick<ChatMessage, 'new_chat_members' | 'left_chat_member' | 'migrate_to_chat_id' | 'migrate_from_chat_id'>;

/** Groups and who is in them: creating, adding bots, users joining, leaving, asking, migrating. */
/** A group as the demo's "add your bot" list shows it. */
export interface SandboxGroupSummary {
  id: number;
  title: string;
  type: 'group' | 'supergroup';
  people: Array<{ id: number; firstName: string }>;
  bots: Array<{ id: number; username: string }>;
}

export function groupActions(core: SandboxCore) {
  const { store } = core;

  function owner(group: GroupRecord): number | undefined {
    return [...group.members].find(([, membership]) => membership.status === 'creator')?.[0];
  }

  /** The user performing an action in a group: given, or the owner; must be in the group. */
  function actingUser(group: GroupRecord, userId: number | undefined): User {
    const id = userId ?? owner(group);
    if (id === undefined) throw new SandboxError(`group ${group.id} has no owner; say which member acts`);
    if (!isPresent(group.members.get(id))) throw new SandboxError(`user ${id} is not in group ${group.id}`);
    const user = core.participant(id);
    if (!user) throw new SandboxError(`unknown user ${id}`, 404);
    return user;
  }

  function botInGroup(botId: number, chatId: number): { group: GroupRecord; bot: User } {
    const bot = store.requireBot(botId);
    const group = store.requireActiveGroup(chatId);
    if (!isPresent(group.members.get(bot.id))) throw new SandboxError(`bot ${botId} is not in group ${chatId}`);
    return { group, bot: botUserView(bot) };
  }

  /** Posts a service message ("X joined", "X left", migration) that every bot in the group sees. */
  function announce(group: GroupRecord, from: User, fields: ServiceFields): ChatMessage {
    return core.postToGroup(group, { chat: groupChatView(group), from, ...fields }, 'service');
  }

  /** A usable invite link of the group, or a SandboxError saying why the user can't use it. */
  function usableLink(group: GroupRecord, link: string): InviteLinkRecord {
    const record = group.inviteLinks.get(link);
    if (!record) throw new SandboxError(`unknown invite link ${link} for group ${group.id}`, 404);
    const { link: invite } = record;
    if (invite.is_revoked) throw new SandboxError('the invite link was revoked', 409);
    if (invite.expire_date !== undefined && invite.expire_date <= unixTime()) throw new SandboxError('the invite link has expired', 409);
    if (invite.member_limit !== undefined && record.joinedCount >= invite.member_limit) {
      throw new SandboxError('the invite link reached its member limit', 409);
    }
    return record;
  }

  function requireNewcomer(group: GroupRecord, userId: number): void {
    const membership = group.members.get(userId);
    if (isPresent(membership)) throw new SandboxError(`user ${userId} is already in group ${group.id}`, 409);
    if (membership?.status === 'kicked') throw new SandboxError(`user ${userId} is banned from group ${group.id}`, 409);
  }

  /** Every active group with the people and bots present in it, as a demo shows "groups to add your bot to". */
  function listGroups(): SandboxGroupSummary[] {
    return [...store.groups.values()]
      .filter((group) => group.migratedToChatId === undefined)
      .map((group) => {
        const present = [...group.members].filter(([, membership]) => isPresent(membership)).map(([id]) => id);
        return {
          id: group.id,
          title: group.title,
          type: group.type,
          people: present.flatMap((id) => { const user = store.users.get(id); return user ? [{ id, firstName: user.firstName }] : []; }),
          bots: present.flatMap((id) => { const bot = store.bots.get(id); return bot ? [{ id, username: bot.username }] : []; }),
        };
      });
  }

  return {
    listGroups,

    /** The groups a bot is in now, with the people (not bots) present in each: what a restarted demo talks in. */
    groupsOfBot(botId: number): Array<{ id: number; title: string; memberIds: number[] }> {
      return listGroups()
        .filter((group) => group.bots.some((bot) => bot.id === botId))
        .map((group) => ({ id: group.id, title: group.title, memberIds: group.people.map((person) => person.id) }));
    },

    /** Creates a group or supergroup (negative ids; supergroups "-100…") with its first members. */
    createGroup(input: CreateGroupInput): Chat.GroupChat | Chat.SupergroupChat {
      const options = parseInput(createGroupInput, input);
      if (options.username !== undefined && options.type === 'group') throw new SandboxError('only supergroups can have a username');
      if (options.username !== undefined && store.usernameTaken(options.username)) {
        throw new SandboxError(`username @${options.username} is taken`, 409);
      }
      const ownerId = options.ownerId ?? options.memberIds[0];
      const memberIds = new Set([...(ownerId === undefined ? [] : [ownerId]), ...options.memberIds]);
      for (const id of memberIds) store.requireUser(id);
      const group: GroupRecord = {
        id: options.type === 'group' ? core.ids.nextBasicGroupId() : core.ids.nextSupergroupId(),
        type: options.type,
        title: options.title,
        username: options.username,
        members: new Map([...memberIds].map((id) => [id, id === ownerId ? { status: 'creator' } : { status: 'member' }])),
        history: newHistory(),
        permissions: { ...allPermissions },
        slowModeDelay: 0,
        lastPostAt: new Map(),
        migratedToChatId: undefined,
        inviteLinks: new Map(),
        joinRequests: new Map(),
      };
      store.groups.set(group.id, group);
      return groupChatView(group);
    },

    /**
     * Adds a bot to a group as a member or an administrator. The bot receives my_chat_member and,
     * like everyone there, the "new_chat_members" service message.
     */
    addBotToGroup(botId: number, chatId: number, input: AddBotInput = {}): ChatMember {
      const options = parseInput(addBotInput, input);
      const bot = store.requireBot(botId);
      const group = store.requireActiveGroup(chatId);
      if (!bot.canJoinGroups) throw new SandboxError(`bot ${botId} can't join groups (can_join_groups is false)`);
      if (isPresent(group.members.get(botId))) throw new SandboxError(`bot ${botId} is already in group ${chatId}`, 409);
      const adder = actingUser(group, options.addedBy);
      const membership = options.admin ? { status: 'administrator' as const, rights: adminRights(options) } : { status: 'member' as const };
      core.changeMembership(group, botId, membership, adder);
      announce(group, adder, { new_chat_members: [botUserView(bot)] });
      return chatMemberView(botUserView(bot), membership);
    },

    /** Makes a bot in the group an administrator (my_chat_member to the bot). */
    promoteBot(botId: number, chatId: number, rights: BotRightsInput = {}): ChatMember {
      const { group, bot } = botInGroup(botId, chatId);
      const membership = { status: 'administrator' as const, rights: adminRights(parseInput(botRightsInput, rights)) };
      core.changeMembership(group, botId, membership, actingUser(group, undefined));
      return chatMemberView(bot, membership);
    },

    /** Turns an administrator bot back into a plain member (my_chat_member to the bot). */
    demoteBot(botId: number, chatId: number): ChatMember {
      const { group, bot } = botInGroup(botId, chatId);
      core.changeMembership(group, botId, { status: 'member' }, actingUser(group, undefined));
      return chatMemberView(bot, { status: 'member' });
    },

    /**
     * Removes (bans) a bot from a group: my_chat_member with status "kicked"; from then on its sends
     * answer 403 "Forbidden: bot was kicked from the group chat".
     */
    removeBotFromGroup(botId: number, chatId: number, by?: number): void {
      const { group, bot } = botInGroup(botId, chatId);
      const actor = actingUser(group, by);
      core.changeMembership(group, botId, { status: 'kicked', untilDate: 0 }, actor);
      announce(group, actor, { left_chat_member: bot });
    },

    /**
     * A user joins a group (directly or through an invite link): "new_chat_members" service
     * message, and chat_member to admin bots that subscribed to it.
     */
    userJoins(userId: number, chatId: number, input: JoinInput = {}): ChatMessage {
      const options = parseInput(joinInput, input);
      const user = store.requireUser(userId);
      const group = store.requireActiveGroup(chatId);
      requireNewcomer(group, userId);
      const link = options.inviteLink === undefined ? undefined : usableLink(group, options.inviteLink);
      if (link?.link.creates_join_request) throw new SandboxError('this invite link needs approval; use userRequestsToJoin', 409);
      if (link) link.joinedCount += 1;
      const member = userView(user);
      core.changeMembership(group, userId, { status: 'member' }, member, link ? { invite_link: link.link } : {});
      return announce(group, member, { new_chat_members: [member] });
    },

    /** A user leaves a group: "left_chat_member" service message and chat_member. */
    userLeaves(userId: number, chatId: number): ChatMessage {
      const group = store.requireActiveGroup(chatId);
      const member = actingUser(group, userId);
      core.changeMembership(group, userId, { status: 'left' }, member);
      return announce(group, member, { left_chat_member: member });
    },

    /**
     * A user asks to join a supergroup. Admin bots with can_invite_users get chat_join_request with
     * `user_chat_id`; each may then message the user for 5 (scaled) minutes or until the request
     * is approved or declined.
     */
    userRequestsToJoin(userId: number, chatId: number, input: JoinRequestInput = {}): { userChatId: number; date: number } {
      const options = parseInput(joinRequestInput, input);
      const user = store.requireUser(userId);
      const group = store.requireActiveGroup(chatId);
      if (group.type !== 'supergroup') throw new SandboxError('join requests exist only in supergroups; migrate the group first');
      requireNewcomer(group, userId);
      if (group.joinRequests.has(userId)) throw new SandboxError(`user ${userId} already asked to join`, 409);
      const link = options.inviteLink === undefined ? undefined : usableLink(group, options.inviteLink);
      if (link && !link.link.creates_join_request) throw new SandboxError('this invite link joins directly; use userJoins', 409);
      const date = unixTime();
      group.joinRequests.set(userId, {
        userId,
        chatId,
        date,
        inviteLink: link?.link.invite_link,
        contactUntil: Date.now() + core.config.scaled(TelegramTimings.joinRequestContactWindow),
      });
      const from = userView(user);
      for (const bot of core.botsIn(group)) {
        if (!hasRight(group.members.get(bot.id), 'can_invite_users')) continue;
        core.deliver(
          bot,
          'chat_join_request',
          {
            // Checked above: only supergroups get here.
            chat: groupChatView(group) as Chat.SupergroupChat,
            from,
            user_chat_id: userId,
            date,
            ...(options.bio === undefined ? {} : { bio: options.bio }),
            ...(link ? { invite_link: link.link } : {}),
          },
          chatId,
        );
      }
      return { userChatId: userId, date };
    },

    /**
     * Upgrades a basic group to a supergroup, as Telegram does: a new "-100…" chat with the same
     * members, "migrate_to_chat_id" / "migrate_from_chat_id" service messages, and sends to the old
     * id failing with 400 "group chat was upgraded to a supergroup chat" + migrate_to_chat_id.
     */
    migrateToSupergroup(chatId: number, by?: number): Chat.SupergroupChat {
      const old = store.requireActiveGroup(chatId);
      if (old.type !== 'group') throw new SandboxError(`group ${chatId} is not a basic group`, 409);
      const actor = actingUser(old, by);
      const supergroup: GroupRecord = {
        ...old,
        id: core.ids.nextSupergroupId(),
        type: 'supergroup',
        members: new Map(old.members),
        history: newHistory(),
        permissions: { ...old.permissions },
        lastPostAt: new Map(),
        migratedToChatId: undefined,
        inviteLinks: new Map(),
        joinRequests: new Map(),
      };
      store.groups.set(supergroup.id, supergroup);
      old.migratedToChatId = supergroup.id;
      announce(old, actor, { migrate_to_chat_id: supergroup.id });
      announce(supergroup, actor, { migrate_from_chat_id: old.id });
      return groupChatView(supergroup) as Chat.SupergroupChat;
    },

    /** Sets a supergroup's slow mode (0, 10, 30, 60, 300, 900 or 3600 seconds; scaled when enforced). */
    setSlowMode(chatId: number, seconds: number): void {
      const group = store.requireActiveGroup(chatId);
      if (group.type !== 'supergroup') throw new SandboxError('slow mode exists only in supergroups');
      if (!slowModeDelays.includes(seconds)) throw new SandboxError(`slow mode must be one of ${slowModeDelays.join(', ')} seconds`);
      group.slowModeDelay = seconds;
    },
  };
}
