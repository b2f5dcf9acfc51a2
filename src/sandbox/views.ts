import type {
  AcceptedGiftTypes,
  Chat,
  ChatFullInfo,
  ChatMember,
  ChatPermissions,
  User,
  UserFromGetMe,
} from 'grammy/types';
import type { AdminRights, BotRecord, GroupRecord, Membership, UserRecord } from './records.js';

/**
 * Renders internal records as the Telegram objects bots receive. Optional fields are left out
 * rather than sent as null, as Telegram does.
 */

/** A human user as it appears in `from`, `user`, `new_chat_members`, … */
export function userView(user: UserRecord): User {
  return {
    id: user.id,
    is_bot: false,
    first_name: user.firstName,
    ...(user.lastName === undefined ? {} : { last_name: user.lastName }),
    ...(user.username === undefined ? {} : { username: user.username }),
    ...(user.languageCode === undefined ? {} : { language_code: user.languageCode }),
    ...(user.isPremium ? { is_premium: true as const } : {}),
  };
}

/** A bot as it appears in messages it sent and in member lists. */
export function botUserView(bot: BotRecord): User {
  return { id: bot.id, is_bot: true, first_name: bot.firstName, username: bot.username };
}

/** getMe: the bot with the capability flags only getMe reports. */
export function botMeView(bot: BotRecord): UserFromGetMe {
  return {
    ...botUserView(bot),
    is_bot: true,
    username: bot.username,
    can_join_groups: bot.canJoinGroups,
    can_read_all_group_messages: bot.canReadAllGroupMessages,
    supports_inline_queries: bot.supportsInlineQueries,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
}

/** The private chat with a user, seen from the bot (chat id = user id). */
export function privateChatView(user: UserRecord): Chat.PrivateChat {
  return {
    id: user.id,
    type: 'private',
    first_name: user.firstName,
    ...(user.lastName === undefined ? {} : { last_name: user.lastName }),
    ...(user.username === undefined ? {} : { username: user.username }),
  };
}

/** A group or supergroup as embedded in messages and updates. */
export function groupChatView(group: GroupRecord): Chat.GroupChat | Chat.SupergroupChat {
  if (group.type === 'group') return { id: group.id, type: 'group', title: group.title };
  return {
    id: group.id,
    type: 'supergroup',
    title: group.title,
    ...(group.username === undefined ? {} : { username: group.username }),
  };
}

const acceptedGiftTypes: AcceptedGiftTypes = {
  unlimited_gifts: true,
  limited_gifts: true,
  unique_gifts: true,
  premium_subscription: true,
  gifts_from_channels: true,
};

/** Telegram's defaults for chat fields the sandbox does not model. */
const fullInfoDefaults = { accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: acceptedGiftTypes };

/** getChat on a private chat. */
export function privateChatFullInfo(user: UserRecord): ChatFullInfo.PrivateChat {
  return { ...privateChatView(user), ...fullInfoDefaults };
}

/** getChat on a group or supergroup. */
export function groupChatFullInfo(group: GroupRecord): ChatFullInfo.GroupChat | ChatFullInfo.SupergroupChat {
  const common = { ...fullInfoDefaults, permissions: group.permissions };
  if (group.type === 'group') return { id: group.id, type: 'group', title: group.title, ...common };
  return {
    id: group.id,
    type: 'supergroup',
    title: group.title,
    ...(group.username === undefined ? {} : { username: group.username }),
    ...common,
    ...(group.slowModeDelay > 0 ? { slow_mode_delay: group.slowModeDelay } : {}),
  };
}

/** Rights a bot gets when added as an administrator unless the caller says otherwise. */
export function defaultAdminRights(overrides: Partial<AdminRights> = {}): AdminRights {
  return {
    is_anonymous: false,
    can_manage_chat: true,
    can_delete_messages: true,
    can_manage_video_chats: true,
    can_restrict_members: true,
    can_promote_members: false,
    can_change_info: true,
    can_invite_users: true,
    can_post_stories: true,
    can_edit_stories: true,
    can_delete_stories: true,
    can_pin_messages: true,
    can_manage_topics: false,
    can_send_welcome_messages: false,
    ...overrides,
  };
}

/** Everything allowed: the default permissions of a new group. */
export const allPermissions: Required<ChatPermissions> = {
  can_send_messages: true,
  can_send_audios: true,
  can_send_documents: true,
  can_send_photos: true,
  can_send_videos: true,
  can_send_video_notes: true,
  can_send_voice_notes: true,
  can_send_polls: true,
  can_send_other_messages: true,
  can_add_web_page_previews: true,
  can_react_to_messages: true,
  can_change_info: true,
  can_invite_users: true,
  can_edit_tag: true,
  can_pin_messages: true,
  can_manage_topics: true,
};

/** A ChatMember object for someone with the given standing. */
export function chatMemberView(user: User, membership: Membership): ChatMember {
  switch (membership.status) {
    case 'creator':
      return { status: 'creator', user, is_anonymous: false };
    case 'administrator':
      return { status: 'administrator', user, can_be_edited: false, ...membership.rights };
    case 'member':
      return { status: 'member', user };
    case 'restricted':
      return {
        status: 'restricted',
        user,
        is_member: membership.isMember,
        ...allPermissions,
        ...membership.permissions,
        until_date: membership.untilDate,
      };
    case 'left':
      return { status: 'left', user };
    case 'kicked':
      return { status: 'kicked', user, until_date: membership.untilDate };
  }
}

/** Whether a standing means being in the chat right now. */
export function isPresent(membership: Membership | undefined): boolean {
  if (!membership) return false;
  if (membership.status === 'restricted') return membership.isMember;
  return membership.status === 'creator' || membership.status === 'administrator' || membership.status === 'member';
}

/** Whether a standing carries administrator powers. */
export function isAdmin(membership: Membership | undefined): boolean {
  return membership?.status === 'creator' || membership?.status === 'administrator';
}

/** Whether this admin right is held (creators hold every right). */
export function hasRight(membership: Membership | undefined, right: keyof AdminRights): boolean {
  if (membership?.status === 'creator') return true;
  return membership?.status === 'administrator' && membership.rights[right] === true;
}
