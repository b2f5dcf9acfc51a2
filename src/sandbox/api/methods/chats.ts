import type { ChatMember, ChatPermissions, User } from 'grammy/types';
import { badRequest, TelegramErrors } from '../../errors.js';
import type { Membership } from '../../records.js';
import {
  allPermissions,
  botUserView,
  chatMemberView,
  groupChatFullInfo,
  groupChatView,
  isAdmin,
  isPresent,
  privateChatFullInfo,
} from '../../views.js';
import { resolveChat } from '../chat-access.js';
import type { AdministeredGroup } from '../group-admin.js';
import { administeredGroup, announceRemoval, untilDate } from '../group-admin.js';
import type { MethodCall, MethodHandler } from '../method.js';

export const getChat: MethodHandler = (call) => {
  const target = resolveChat(call.core, call.bot, call.params.string('chat_id'), 'read');
  return target.kind === 'private' ? privateChatFullInfo(target.user) : groupChatFullInfo(target.group);
};

export const getChatMember: MethodHandler = (call): ChatMember => {
  const target = resolveChat(call.core, call.bot, call.params.string('chat_id'), 'read');
  const userId = call.params.userId();
  const member = call.core.participant(userId);
  if (!member) throw TelegramErrors.userNotFound();
  if (target.kind === 'private') {
    if (userId !== target.user.id && userId !== call.bot.id) throw TelegramErrors.userNotFound();
    return chatMemberView(member, { status: 'member' });
  }
  return chatMemberView(member, target.group.members.get(userId) ?? { status: 'left' });
};

export const getChatAdministrators: MethodHandler = (call) => {
  const target = resolveChat(call.core, call.bot, call.params.string('chat_id'), 'read');
  if (target.kind === 'private') throw badRequest('there are no administrators in the private chat');
  return [...target.group.members].flatMap(([id, membership]) => {
    const member = call.core.participant(id);
    return member && isAdmin(membership) ? [chatMemberView(member, membership)] : [];
  });
};

export const getChatMemberCount: MethodHandler = (call) => {
  const target = resolveChat(call.core, call.bot, call.params.string('chat_id'), 'read');
  if (target.kind === 'private') return 2;
  return [...target.group.members.values()].filter(isPresent).length;
};

export const leaveChat: MethodHandler = (call) => {
  const target = resolveChat(call.core, call.bot, call.params.string('chat_id'), 'read');
  if (target.kind === 'private') throw badRequest("chat member status can't be changed in private chats");
  const me = botUserView(call.bot);
  call.core.changeMembership(target.group, call.bot.id, { status: 'left' }, me);
  call.core.postToGroup(target.group, { chat: groupChatView(target.group), from: me, left_chat_member: me }, 'service');
  return true;
};

const restrictRights = 'restrict/unrestrict chat member';

/** The user a ban or restriction is about, and where they stand now. */
function targetMember(call: MethodCall, administered: AdministeredGroup): { userId: number; member: User; current: Membership | undefined } {
  const userId = call.params.userId();
  const member = call.core.participant(userId);
  if (!member) throw TelegramErrors.userNotFound();
  return { userId, member, current: administered.group.members.get(userId) };
}

/** Owners and administrators can't be banned or restricted. */
function requireOrdinary(current: Membership | undefined): void {
  if (current?.status === 'creator') throw badRequest("can't remove chat owner");
  if (current?.status === 'administrator') throw badRequest('user is an administrator of the chat');
}

export const banChatMember: MethodHandler = (call) => {
  const administered = administeredGroup(call, 'can_restrict_members', restrictRights);
  const { userId, member, current } = targetMember(call, administered);
  requireOrdinary(current);
  call.core.changeMembership(administered.group, userId, { status: 'kicked', untilDate: untilDate(call) }, administered.actor);
  if (isPresent(current)) announceRemoval(call, administered, member);
  return true;
};

/** Lifts a ban; without only_if_banned it also removes a present member, as Telegram documents. */
export const unbanChatMember: MethodHandler = (call) => {
  const administered = administeredGroup(call, 'can_restrict_members', restrictRights);
  if (administered.group.type === 'group') throw badRequest('method is available for supergroup and channel chats only');
  const { userId, member, current } = targetMember(call, administered);
  const removesMember = !call.params.bool('only_if_banned') && isPresent(current) && !isAdmin(current);
  if (current?.status !== 'kicked' && !removesMember) return true;
  call.core.changeMembership(administered.group, userId, { status: 'left' }, administered.actor);
  if (removesMember) announceRemoval(call, administered, member);
  return true;
};

/** Permissions a restriction grants, on top of "nothing allowed". */
function readPermissions(raw: unknown): ChatPermissions {
  if (typeof raw !== 'object' || raw === null) throw badRequest("can't parse permissions JSON object");
  const denied = Object.fromEntries(Object.keys(allPermissions).map((name) => [name, false]));
  return { ...denied, ...(raw as ChatPermissions) };
}

/** A restriction that allows everything is no restriction: the user is a plain member again. */
export const restrictChatMember: MethodHandler = (call) => {
  const administered = administeredGroup(call, 'can_restrict_members', restrictRights);
  if (administered.group.type === 'group') throw badRequest('method is available only for supergroups');
  const { userId, current } = targetMember(call, administered);
  requireOrdinary(current);
  const permissions = readPermissions(call.params.requiredJson('permissions', 'permissions'));
  const allowsEverything = Object.keys(allPermissions).every((name) => permissions[name as keyof ChatPermissions] === true);
  const present = isPresent(current);
  let after: Membership;
  if (!allowsEverything) after = { status: 'restricted', permissions, untilDate: untilDate(call), isMember: present };
  else after = present ? { status: 'member' } : { status: 'left' };
  call.core.changeMembership(administered.group, userId, after, administered.actor);
  return true;
};
